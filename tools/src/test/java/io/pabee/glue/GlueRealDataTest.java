package io.pabee.glue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Row counts and label balance of the real shared files, as listed in the data README table. */
class GlueRealDataTest {

    @ParameterizedTest(name = "{0} {1}: {2} rows")
    @CsvSource({
        // task, split, rows, label-0 count, label-1 count (-1 for regression)
        "SST-2, DEV,   872,   428,   444",
        "SST-2, TEST,  1821,  912,   909",
        "SST-2, TRAIN, 67349, 29780, 37569",
        "MRPC,  DEV,   408,   129,   279",
        "MRPC,  TEST,  1725,  578,   1147",
        "MRPC,  TRAIN, 3668,  1194,  2474",
        "RTE,   DEV,   277,   131,   146",
        "RTE,   TRAIN, 2490,  1241,  1249",
        "CoLA,  DEV,   1043,  322,   721",
        "CoLA,  TRAIN, 8551,  2528,  6023",
        "STS-B, DEV,   1500,  -1,    -1",
        "STS-B, TEST,  1379,  -1,    -1",
        "STS-B, TRAIN, 5749,  -1,    -1",
    })
    void shouldMatchReadmeRowCountsAndLabelBalance(String taskName, Split split, int rows, int zeros, int ones) {
        GlueTask task = GlueTask.parse(taskName);
        List<GlueExample> examples = GlueReader.read(GlueTestDirs.real(), task, split);

        assertThat(examples).hasSize(rows);
        Set<String> ids = new HashSet<>();
        examples.forEach(e -> ids.add(e.id()));
        assertThat(ids).hasSize(rows);
        assertThat(examples).allSatisfy(e -> {
            assertThat(e.text()).isNotBlank().isEqualTo(e.text().strip());
            assertThat(e.isPair()).isEqualTo(task.isPair());
        });
        if (task.isRegression()) {
            assertThat(examples).allSatisfy(e -> assertThat(e.score()).isBetween(0f, 5f));
        } else {
            assertThat(examples.stream().filter(e -> e.label() == 0).count()).isEqualTo(zeros);
            assertThat(examples.stream().filter(e -> e.label() == 1).count()).isEqualTo(ones);
        }
    }

    @Test
    void shouldReadKnownFirstRowsOfRealDevFiles() {
        var dir = GlueTestDirs.real();
        assertThat(GlueReader.read(dir, GlueTask.SST_2, Split.DEV).get(0).text())
                .isEqualTo("it 's a charming and often affecting journey .");
        GlueExample mrpc = GlueReader.read(dir, GlueTask.MRPC, Split.DEV).get(0);
        assertThat(mrpc.label()).isEqualTo(1);
        assertThat(mrpc.textPair()).startsWith("\"The foodservice pie business");
        GlueExample sts = GlueReader.read(dir, GlueTask.STS_B, Split.DEV).get(0);
        assertThat(sts.score()).isEqualTo(5.0f);
        assertThat(GlueReader.read(dir, GlueTask.RTE, Split.DEV).get(0).label()).isZero(); // not_entailment
    }
}
