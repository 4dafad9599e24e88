package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench router-layers} on a few SST-2 dev records: each fixed K and the adaptive run answer every record; the report is written. */
class BenchRouterLayersCommandIT {

    @Test
    void shouldMeasureEachFixedKAndWhereTheAdaptiveRunSettled(@TempDir Path report) throws Exception {
        CliRun run = CliRun.of("bench", "router-layers", "--model-dir", CliRun.frozenModel().toString(),
                "--glue-dir", CliRun.glueDir().toString(), "--limit", "24", "--k", "4,6", "--start", "6", "--warmup-passes", "0",
                "--passes", "2", "--sweeps", "2", "--interval-ms", "100", "--window-ms", "300", "--batch-records", "8", "--json",
                "--report", report.toString());
        assertThat(run.rc()).as(run.err()).isZero();

        List<JsonNode> rows = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(report.resolve("router-layers.jsonl"))) {
            rows.add(json.readTree(line));
        }
        assertThat(rows).extracting(r -> r.get("mode").asText()).containsExactly("fixed", "fixed", "adaptive");
        assertThat(rows.get(0).get("router_layers").asInt()).isEqualTo(4);
        assertThat(rows.get(1).get("router_layers").asInt()).isEqualTo(6);
        assertThat(rows.get(0).get("results").asInt()).isEqualTo(48);
        assertThat(rows.get(1).get("results").asInt()).isEqualTo(48);
        // each K ran once per sweep; the row's rate is their mean
        JsonNode sweeps = rows.get(0).get("records_per_s_sweeps");
        assertThat(sweeps).hasSize(2);
        assertThat(rows.get(0).get("records_per_s").asDouble()).isCloseTo((sweeps.get(0).asDouble() + sweeps.get(1).asDouble()) / 2,
                org.assertj.core.api.Assertions.within(1e-9));
        JsonNode adaptive = rows.get(2);
        assertThat(adaptive.get("records").asInt()).isEqualTo(48);
        assertThat(adaptive.get("results").asInt()).isEqualTo(48);
        assertThat(adaptive.get("accuracy").asDouble()).isGreaterThan(0.6);
        assertThat(adaptive.get("settled_k").asInt()).isBetween(4, 6);
        assertThat(adaptive.get("settled_k_source").asText()).isIn("results", "timeline");
        String md = Files.readString(report.resolve("report.md"));
        assertThat(md).contains("Command: `ops/pabee bench router-layers --model-dir").contains("| 4 |").contains("| 6 |").contains("descending after it")
                .contains("Fastest fixed K").contains("settled at **K = ");
        assertThat(Files.readString(report.resolve("k-over-time.svg"))).contains("<svg");
        assertThat(Files.readAllLines(report.resolve("timeline.csv")).get(0)).isEqualTo("seconds,k,input_lag,continuation_lag");
    }
}
