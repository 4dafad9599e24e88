package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench e2e} on a few SST-2 dev records: every pass answers every record, and the report and plots are written. */
class BenchE2eCommandIT {

    @Test
    void shouldWriteAReportWhoseRowsAnswerEveryRecord(@TempDir Path report) throws Exception {
        CliRun run = CliRun.of("bench", "e2e", "--model-dir", CliRun.frozenModel().toString(),
                "--glue-dir", CliRun.glueDir().toString(), "--limit", "40", "--patience", "4", "--workers", "1",
                "--warmup-passes", "1", "--passes", "2", "--json", "--report", report.toString());
        assertThat(run.rc()).as(run.err()).isZero();

        List<String> lines = Files.readAllLines(report.resolve("e2e.jsonl"));
        // each configuration in arrival order, then in length order
        assertThat(lines).hasSize(4);
        ObjectMapper json = new ObjectMapper();
        JsonNode full = json.readTree(lines.get(0));
        JsonNode pabee = json.readTree(lines.get(2));
        assertThat(full.get("mode").asText()).isEqualTo("full-depth");
        assertThat(full.get("mean_exit_layer").asDouble()).isEqualTo(12.0);
        assertThat(pabee.get("patience").asInt()).isEqualTo(4);
        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : lines) {
            rows.add(json.readTree(line));
        }
        assertThat(rows).extracting(r -> r.get("batch_order").asText()).containsExactly("arrival", "length", "arrival", "length");
        assertThat(json.readTree(lines.get(3)).get("mean_exit_layer").asDouble()).as("the same exits in either order")
                .isEqualTo(pabee.get("mean_exit_layer").asDouble());
        for (JsonNode row : rows) {
            assertThat(row.get("records").asInt()).isEqualTo(40);
            assertThat(row.get("results").asInt()).isEqualTo(40);
            assertThat(row.get("records_per_s_passes")).hasSize(2);
            assertThat(row.get("records_per_s_warmup_passes")).hasSize(1);
            // accuracy is looked up by each pass's own ids: a mismatch would read as 0
            assertThat(row.get("accuracy").asDouble()).isGreaterThan(0.6);
            // the baseline (bench baseline) ran in the same run, on the same records, and answered them
            assertThat(row.get("baseline_records_per_s").asDouble()).isPositive();
            assertThat(row.get("baseline_accuracy").asDouble()).isGreaterThan(0.6);
            assertThat(row.get("baseline_padding_efficiency").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
            assertThat(row.get("ratio_to_baseline").asDouble())
                    .isEqualTo(row.get("records_per_s").asDouble() / row.get("baseline_records_per_s").asDouble());
            // real / computed tokens of router and workers
            assertThat(row.get("padding_efficiency").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        }
        // same records, same layer-12 head: the baseline scores like full depth
        assertThat(full.get("baseline_accuracy").asDouble()).isCloseTo(full.get("accuracy").asDouble(), within(0.051));
        assertThat(pabee.get("mean_exit_layer").asDouble()).isLessThan(12.0);
        assertThat(pabee.get("inprocess_pabee_records_per_s_passes")).hasSize(2);
        String md = Files.readString(report.resolve("report.md"));
        assertThat(md).contains("| pabee | 4 | 1 |").contains("ratio").contains("Against the user's alternative");
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(pabee.get("cpu_seconds").has("router stream thread")).isTrue();
            assertThat(md).contains("Where the CPU went").contains("Per CPU-second");
            assertThat(pabee.get("baseline_records_per_cpu_s").asDouble()).isPositive();
        }
        for (String svg : List.of("accuracy-vs-speedup.svg", "exit-histogram.svg", "throughput-vs-workers.svg")) {
            assertThat(Files.readString(report.resolve(svg))).contains("<svg").contains("</svg>");
        }
    }
}
