package io.pabee.evaluate;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TaskMetricsTest {

    private static List<GlueExample> labeled(int... labels) {
        return java.util.stream.IntStream.range(0, labels.length)
                .mapToObj(i -> new GlueExample("T/dev/" + i, "s" + i, "p" + i, labels[i], Float.NaN))
                .toList();
    }

    private static List<GlueExample> scored(float... scores) {
        return java.util.stream.IntStream.range(0, scores.length)
                .mapToObj(i -> new GlueExample("STS-B/dev/" + i, "a", "b", -1, scores[i]))
                .toList();
    }

    @Test
    void shouldReportAccuracyThenF1ForMrpc() {
        Map<String, Double> m = TaskMetrics.compute(GlueTask.MRPC,
                new int[] {1, 1, 1, 0, 0, 1, 0, 0}, labeled(1, 1, 1, 1, 1, 0, 0, 0));

        assertThat(m.keySet()).containsExactly("accuracy", "f1");
        assertThat(m.get("accuracy")).isEqualTo(5.0 / 8);
        assertThat(m.get("f1")).isCloseTo(6.0 / 9, within(1e-12));
    }

    @Test
    void shouldUseMccAsMainMetricForCola() {
        int[] pred = {1, 1, 1, 0, 0, 1, 0, 0};
        List<GlueExample> gold = labeled(1, 1, 1, 1, 1, 0, 0, 0);

        assertThat(TaskMetrics.compute(GlueTask.COLA, pred, gold).keySet()).first().isEqualTo("mcc");
        assertThat(TaskMetrics.main(GlueTask.COLA, pred, gold)).isCloseTo(4 / Math.sqrt(240), within(1e-12));
        assertThat(TaskMetrics.main(GlueTask.SST_2, pred, gold)).isEqualTo(5.0 / 8);
    }

    @Test
    void shouldReportPearsonThenSpearmanForStsb() {
        float[] pred = {1, 2, 2, 3};
        Map<String, Double> m = TaskMetrics.compute(GlueTask.STS_B, pred, scored(1, 3, 2, 4));

        assertThat(m.keySet()).containsExactly("pearson", "spearman");
        assertThat(m.get("spearman")).isCloseTo(4.5 / Math.sqrt(22.5), within(1e-9));
        assertThat(TaskMetrics.main(GlueTask.STS_B, pred, scored(1, 3, 2, 4))).isEqualTo(m.get("pearson"));
    }

    @Test
    void shouldRejectWrongPredictionKindOrLength() {
        assertThatThrownBy(() -> TaskMetrics.compute(GlueTask.STS_B, new int[] {1}, labeled(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regression");
        assertThatThrownBy(() -> TaskMetrics.compute(GlueTask.RTE, new float[] {1f}, scored(1f)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classification");
        assertThatThrownBy(() -> TaskMetrics.compute(GlueTask.RTE, new int[] {1, 0}, labeled(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length mismatch");
    }
}
