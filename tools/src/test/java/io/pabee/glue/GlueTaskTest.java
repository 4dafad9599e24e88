package io.pabee.glue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlueTaskTest {

    @ParameterizedTest
    @CsvSource({
        "sst-2, SST_2", "SST2, SST_2", "Sst_2, SST_2", "mrpc, MRPC", "rte, RTE",
        "cola, COLA", "CoLA, COLA", "sts-b, STS_B", "stsb, STS_B", "STS_B, STS_B", "' sts b ', STS_B"
    })
    void shouldParseNamesCaseAndPunctuationInsensitively(String name, GlueTask expected) {
        assertThat(GlueTask.parse(name)).isEqualTo(expected);
    }

    @Test
    void shouldListValidNamesForUnknownTask() {
        assertThatThrownBy(() -> GlueTask.parse("mnli"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mnli")
                .hasMessageContaining("SST-2, MRPC, RTE, CoLA, STS-B");
    }

    @Test
    void shouldDescribeLayoutOfEachTask() {
        assertThat(GlueTask.SST_2.dirName()).isEqualTo("SST-2");
        assertThat(GlueTask.COLA.dirName()).isEqualTo("CoLA");
        assertThat(GlueTask.SST_2.isPair()).isFalse();
        assertThat(GlueTask.COLA.isPair()).isFalse();
        assertThat(GlueTask.MRPC.isPair()).isTrue();
        assertThat(GlueTask.RTE.isPair()).isTrue();
        assertThat(GlueTask.STS_B.isPair()).isTrue();
        assertThat(GlueTask.STS_B.isRegression()).isTrue();
        assertThat(GlueTask.STS_B.problemType()).isEqualTo(GlueTask.ProblemType.REGRESSION);
        assertThat(GlueTask.STS_B.labelNames()).isEmpty();
        assertThat(GlueTask.STS_B.numLabels()).isEqualTo(1);
        assertThat(GlueTask.MRPC.problemType()).isEqualTo(GlueTask.ProblemType.CLASSIFICATION);
    }

    @Test
    void shouldOrderLabelNamesByIndex() {
        assertThat(GlueTask.SST_2.labelNames()).containsExactly("negative", "positive");
        assertThat(GlueTask.MRPC.labelNames()).containsExactly("not_equivalent", "equivalent");
        assertThat(GlueTask.RTE.labelNames()).containsExactly("not_entailment", "entailment");
        assertThat(GlueTask.COLA.labelNames()).containsExactly("unacceptable", "acceptable");
    }

    @Test
    void shouldKnowWhichSplitsExist() {
        assertThat(GlueTask.SST_2.splits()).containsExactlyInAnyOrder(Split.TRAIN, Split.DEV, Split.TEST);
        assertThat(GlueTask.MRPC.hasSplit(Split.TEST)).isTrue();
        assertThat(GlueTask.STS_B.hasSplit(Split.TEST)).isTrue();
        assertThat(GlueTask.RTE.hasSplit(Split.TEST)).isFalse();
        assertThat(GlueTask.COLA.hasSplit(Split.TEST)).isFalse();
        assertThat(GlueTask.COLA.hasSplit(Split.DEV)).isTrue();
    }

    @Test
    void shouldPutMainMetricFirst() {
        assertThat(GlueTask.SST_2.mainMetric()).isEqualTo("accuracy");
        assertThat(GlueTask.MRPC.metricNames()).containsExactly("accuracy", "f1");
        assertThat(GlueTask.RTE.mainMetric()).isEqualTo("accuracy");
        assertThat(GlueTask.COLA.mainMetric()).isEqualTo("mcc");
        assertThat(GlueTask.STS_B.metricNames()).containsExactly("pearson", "spearman");
    }

    @Test
    void shouldNameSplitFiles() {
        assertThat(Split.TRAIN.fileName()).isEqualTo("train.tsv");
        assertThat(Split.DEV.fileName()).isEqualTo("dev.tsv");
        assertThat(Split.TEST.fileName()).isEqualTo("test.tsv");
        assertThat(Split.parse("Validation")).isEqualTo(Split.DEV);
        assertThatThrownBy(() -> Split.parse("eval")).isInstanceOf(IllegalArgumentException.class);
    }
}
