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

/**
 * CI-sized {@code bench adaptive}: seconds instead of minutes, the overload made certain on any machine by a burst
 * of six seconds of capacity (measured first) against a 2 s target. Both runs answer every id exactly once; the adaptive run
 * lowers patience for load while overloaded, and its results carry the configured patience again once the backlog
 * has drained; the fixed run never lowers.
 */
class BenchAdaptiveCommandIT {
    private static final int PATIENCE = 4;

    @Test
    void shouldLowerPatienceUnderOverloadReturnAfterItAndAnswerEveryIdOnce(@TempDir Path report) throws Exception {
        CliRun run = CliRun.of("bench", "adaptive", "--model-dir", CliRun.tunedSst2().toString(),
                "--glue-dir", CliRun.glueDir().toString(), "--patience", Integer.toString(PATIENCE),
                "--capacity-records", "150", "--warmup-records", "32", "--burst-seconds", "6", "--minutes", "0.1", "--load", "1.5",
                "--recovery-seconds", "25", "--recovery-load", "0.3", "--slo-ms", "2000", "--shadow", "0.05", "--window-seconds", "3",
                "--set", "pabee.adaptive.interval.ms=250", "--set", "pabee.adaptive.raise.after.ms=1000",
                "--json", "--report", report.toString());
        System.out.println(run.out());
        assertThat(run.rc()).as(run.err()).isZero();

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(report.resolve("adaptive.jsonl"))) {
            rows.add(json.readTree(line));
        }
        assertThat(rows).extracting(r -> r.get("mode").asText()).containsExactly("fixed", "adaptive");
        for (JsonNode r : rows) {
            // exactly once: every produced id in results or dead letters, none twice
            assertThat(r.get("lost").asLong()).as("lost in %s", r).isZero();
            assertThat(r.get("duplicates").asLong()).as("duplicates in %s", r).isZero();
            assertThat(r.get("results").asLong() + r.get("dead_letters").asLong()).isEqualTo(r.get("produced").asLong());
            assertThat(r.get("dead_letters").asLong()).as("valid events are classified").isZero();
            // the burst alone is six seconds of capacity
            assertThat(r.get("max_backlog").asLong()).isGreaterThanOrEqualTo(4 * r.get("capacity_per_s").asLong());
            assertThat(r.get("accuracy").asDouble()).isGreaterThan(0.7);
        }
        JsonNode fixed = rows.get(0);
        JsonNode adaptive = rows.get(1);
        assertThat(fixed.get("lowered_load").asLong()).isZero();
        assertThat(fixed.get("degraded_share").asDouble()).isZero();
        assertThat(fixed.get("mean_patience_used").asDouble()).isEqualTo(PATIENCE);
        assertThat(adaptive.get("lowered_load").asLong()).as("results lowered for load").isPositive();
        assertThat(adaptive.get("min_patience_used").asInt()).isLessThan(PATIENCE);
        assertThat(adaptive.get("patience_return_s").isNull()).as("patience back at %d after the drain: %s", PATIENCE, adaptive)
                .isFalse();

        // per second: lowered results while the arrivals were above capacity, the configured patience at the end
        List<String[]> adaptiveSeconds = Files.readAllLines(report.resolve(AdaptiveReport.SAMPLES)).stream().skip(1)
                .map(l -> l.split(",", -1)).filter(c -> c[0].equals("adaptive")).toList();
        assertThat(adaptiveSeconds).anyMatch(c -> c[2].equals("overload") && Integer.parseInt(c[10]) > 0);
        String[] last = adaptiveSeconds.stream().filter(c -> !c[9].isEmpty()).reduce((a, b) -> b).orElseThrow();
        assertThat(Double.parseDouble(last[9])).as("mean patience_used of the last second with results").isEqualTo(PATIENCE);
        // the router's or the workers' planned patience (the gauges) went down too
        assertThat(adaptiveSeconds).anyMatch(c -> !c[11].isEmpty() && Double.parseDouble(c[11]) < PATIENCE
                || !c[12].isEmpty() && Double.parseDouble(c[12]) < PATIENCE);

        assertThat(Files.readString(report.resolve("report.md"))).contains("| adaptive |").contains(AdaptiveReport.PATIENCE_SVG);
        for (String svg : List.of(AdaptiveReport.BACKLOG_SVG, AdaptiveReport.PATIENCE_SVG, AdaptiveReport.LATENCY_SVG)) {
            assertThat(Files.readString(report.resolve(svg))).contains("<svg").contains("adaptive").contains("fixed");
        }
    }
}
