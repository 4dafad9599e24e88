package io.pabee.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.HeadOutput;
import io.pabee.stage.FakeLayerModel;
import io.pabee.tokenize.Tokens;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PatienceProfilerTest {
    private static final PatienceProfiler.Provenance FROM = new PatienceProfiler.Provenance("fake-v1", "a test");

    /**
     * Five records through the 6-layer fake model: the three plain ones say positive from layer 1 on (patient at
     * layer p + 1), the two "flip" ones change label at every layer (never patient; negative at layer 6).
     */
    private static final List<String> TEXTS = List.of("good film", "fine", "bad", "flip a", "flip b");
    private static final int[] GOLD = {1, 1, 0, 1, 0};

    /** Every layer's head output of each record, as evaluate traces them: each record once through all layers. */
    private static HeadOutput[][] trace(FakeLayerModel model, List<String> texts) {
        List<Tokens> tokens = texts.stream().map(t -> model.tokenize(t, null)).toList();
        int[] lengths = tokens.stream().mapToInt(Tokens::length).toArray();
        List<float[]> hidden = model.embed(tokens);
        HeadOutput[][] out = new HeadOutput[texts.size()][model.numLayers()];
        for (int l = 1; l <= model.numLayers(); l++) {
            hidden = model.layer(l, hidden, lengths);
            for (int r = 0; r < texts.size(); r++) {
                out[r][l - 1] = model.apply(l, hidden.get(r));
            }
        }
        return out;
    }

    private static List<GlueExample> labeled(int... labels) {
        return IntStream.range(0, labels.length).mapToObj(i -> new GlueExample("T/dev/" + i, "s", null, labels[i], Float.NaN)).toList();
    }

    @Test
    void shouldMeasureFullDepthAndPatienceOneToLayersMinusTwoOnTheFixtureModel() {
        HeadOutput[][] outputs = trace(new FakeLayerModel(6), TEXTS);

        PatienceProfile p = PatienceProfiler.measure(GlueTask.SST_2, Split.DEV, outputs, labeled(GOLD), 0.5f, FROM);

        assertThat(p.task()).isEqualTo("SST-2");
        assertThat(p.split()).isEqualTo("dev");
        assertThat(p.metric()).isEqualTo("accuracy");
        assertThat(p.records()).isEqualTo(5);
        assertThat(p.numLayers()).isEqualTo(6);
        assertThat(p.modelVersion()).isEqualTo("fake-v1");
        assertThat(p.source()).isEqualTo("a test");
        assertThat(p.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2, 3, 4);
        // by hand: plain records answer positive (2 of 3 right), flips answer negative at layer 6 (1 of 2 right)
        assertThat(p.rows()).allSatisfy(r -> assertThat(r.metric()).isEqualTo(3.0 / 5));
        // by hand: 3 records exit at layer p + 1, 2 at layer 6; full depth runs all 6
        assertThat(p.meanLayers(0)).hasValue(6.0);
        for (int k = 1; k <= 4; k++) {
            assertThat(p.meanLayers(k).getAsDouble()).as("patience %d", k).isCloseTo((3.0 * (k + 1) + 2 * 6) / 5, within(1e-12));
        }
    }

    @Test
    void shouldScoreWithTheTasksMainMetricAsEvaluateReportsIt() {
        HeadOutput[][] outputs = trace(new FakeLayerModel(6), TEXTS);

        PatienceProfile cola = PatienceProfiler.measure(GlueTask.COLA, Split.DEV, outputs, labeled(GOLD), 0.5f, FROM);

        // predictions 1 1 1 0 0 vs gold 1 1 0 1 0: TP 2, FP 1, FN 1, TN 1, MCC = (2 - 1) / sqrt(3 * 3 * 2 * 2)
        assertThat(cola.metric()).isEqualTo("mcc");
        assertThat(cola.metric(0).getAsDouble()).isCloseTo(1.0 / 6, within(1e-12));
        assertThat(PatienceProfiler.measure(GlueTask.MRPC, Split.DEV, outputs, labeled(GOLD), 0.5f, FROM).metric())
                .isEqualTo("accuracy");
        PatienceProfile user = PatienceProfiler.measure("tickets", "dev", "accuracy", outputs, labeled(GOLD), FROM);
        assertThat(user.task()).isEqualTo("tickets");
        assertThat(user.metric(2)).hasValue(3.0 / 5);
    }

    @Test
    void shouldUseTheRegressionThresholdForPatienceAndPearsonForStsb() {
        // 4 layers; gold 1, 2, 3. Record 0: 3 3 2 1 (patient at layer 2, then moves); record 1: always 2;
        // record 2: 1 1 2 3. Patience 1 exits all at layer 2 with 3 2 1; patience 2 exits at 4, 3, 4 with 1 2 3.
        float[][] scores = {{3, 3, 2, 1}, {2, 2, 2, 2}, {1, 1, 2, 3}};
        HeadOutput[][] outputs = new HeadOutput[3][4];
        for (int r = 0; r < 3; r++) {
            for (int l = 0; l < 4; l++) {
                outputs[r][l] = HeadOutput.regression(scores[r][l]);
            }
        }
        List<GlueExample> gold = IntStream.range(0, 3).mapToObj(i -> new GlueExample("STS-B/dev/" + i, "a", "b", -1, i + 1f)).toList();

        PatienceProfile p = PatienceProfiler.measure(GlueTask.STS_B, Split.DEV, outputs, gold, 0.5f, FROM);

        assertThat(p.metric()).isEqualTo("pearson");
        assertThat(p.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2);
        assertThat(p.metric(0).getAsDouble()).isCloseTo(1.0, within(1e-6));
        assertThat(p.meanLayers(0)).hasValue(4.0);
        assertThat(p.metric(1).getAsDouble()).isCloseTo(-1.0, within(1e-6));
        assertThat(p.meanLayers(1)).hasValue(2.0);
        assertThat(p.metric(2).getAsDouble()).isCloseTo(1.0, within(1e-6));
        assertThat(p.meanLayers(2).getAsDouble()).isCloseTo(11.0 / 3, within(1e-12));

        // with threshold 0 no score counts as unchanged: every patience runs to full depth
        PatienceProfile strict = PatienceProfiler.measure(GlueTask.STS_B, Split.DEV, outputs, gold, 0f, FROM);
        assertThat(strict.rows()).allSatisfy(r -> assertThat(r.meanLayers()).isEqualTo(4.0));
    }

    @Test
    void shouldRefuseToProfileNoRecords() {
        assertThatThrownBy(() -> PatienceProfiler.measure(GlueTask.SST_2, Split.DEV, new HeadOutput[0][], List.of(), 0.5f, FROM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no records");
    }
}
