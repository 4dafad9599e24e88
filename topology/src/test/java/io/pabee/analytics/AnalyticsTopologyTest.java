package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.ExitStats;
import io.pabee.serde.AvroSerde;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Windows over known results give the right histogram, mean exit layer, speed-up and percentiles. */
class AnalyticsTopologyTest {
    private TopologyTestDriver driver;
    private TestInputTopic<String, Classification> results;
    private TestOutputTopic<String, ExitStats> stats;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeEach
    void open() {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.WINDOW_CONFIG, 10_000L);
        RouterConfig cfg = new RouterConfig(p);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "analytics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(AnalyticsTopology.build(cfg, metrics), props);
        results = driver.createInputTopic(cfg.resultsTopic(), Serdes.String().serializer(),
                AvroSerde.of(Classification.class).serializer());
        stats = driver.createOutputTopic(cfg.exitStatsTopic(), Serdes.String().deserializer(),
                AvroSerde.of(ExitStats.class).deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private static Classification result(String id, int exitLayer, boolean router, long latency) {
        return Classification.newBuilder().setId(id).setLabel("positive").setLabelIndex(1)
                .setProbabilities(List.of(0.2f, 0.8f)).setScore(null).setExitLayer(exitLayer).setLayersRun(exitLayer)
                .setNumLayers(12).setPolicy("patience").setSetting("patience=4")
                .setExitedAt(router ? ExitSite.ROUTER : ExitSite.WORKER).setModelVersion("test").setTruncated(false)
                .setEventTime(0L).setEnqueueTime(0L).setExitTime(latency).setLatencyMs(latency).build();
    }

    @Test
    void shouldAggregateOneWindowIntoHistogramAndSpeedup() {
        Instant t0 = Instant.ofEpochMilli(1_000_000_000_000L - 1_000_000_000_000L % 10_000);
        int[] layers = {5, 5, 6, 12, 8, 5, 12, 6};
        for (int i = 0; i < layers.length; i++) {
            results.pipeInput("r" + i, result("r" + i, layers[i], layers[i] <= 6, 10L * (i + 1)), t0.plusMillis(i * 100L));
        }
        List<ExitStats> out = stats.readValuesToList();
        ExitStats last = out.get(out.size() - 1);
        assertThat(last.getCount()).isEqualTo(8);
        assertThat(last.getWindowStart()).isEqualTo(t0.toEpochMilli());
        assertThat(last.getWindowEnd()).isEqualTo(t0.toEpochMilli() + 10_000);
        assertThat(last.getExitHistogram()).containsExactly(0L, 0L, 0L, 0L, 3L, 2L, 0L, 1L, 0L, 0L, 0L, 2L);
        double mean = (5 + 5 + 6 + 12 + 8 + 5 + 12 + 6) / 8.0;
        assertThat(last.getMeanExitLayer()).isCloseTo(mean, within(1e-9));
        assertThat(last.getSpeedup()).isCloseTo(12 / mean, within(1e-9));
        assertThat(last.getRouterShare()).isCloseTo(5 / 8.0, within(1e-9));
        assertThat(last.getRecordsPerS()).isCloseTo(0.8, within(1e-9));
        assertThat(last.getLatencyP50Ms()).isEqualTo(40.0);
        assertThat(last.getLatencyP99Ms()).isEqualTo(80.0);
        assertThat(metrics.find("pabee_results_total").tag("layer", "5").counter().count()).isEqualTo(3.0);
    }

    @Test
    void shouldStartANewWindowAfterTheWindowSize() {
        Instant t0 = Instant.ofEpochMilli(2_000_000_000_000L);
        results.pipeInput("a", result("a", 4, true, 5), t0);
        results.pipeInput("b", result("b", 12, false, 5), t0.plusMillis(10_000));
        List<ExitStats> out = stats.readValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).getCount()).isEqualTo(1);
        assertThat(out.get(1).getCount()).isEqualTo(1);
        assertThat(out.get(1).getWindowStart()).isEqualTo(out.get(0).getWindowStart() + 10_000);
        assertThat(out.get(1).getSpeedup()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void shouldAggregateInEveryShardAndMergeTheShardsPerWindow() {
        Instant t0 = Instant.ofEpochMilli(3_000_000_000_000L);
        int n = 40;
        java.util.Set<String> shards = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            results.pipeInput("s" + i, result("s" + i, 1 + i % 12, i % 2 == 0, i), t0.plusMillis(i));
            shards.add(AnalyticsTopology.shard("s" + i, 4));
        }
        assertThat(shards).as("the ids spread over the default 4 shards").hasSize(4);
        org.apache.kafka.streams.state.WindowStore<String, ExitWindow> byShard = driver.getWindowStore(AnalyticsTopology.SHARD_STORE);
        long perShard = 0;
        for (String shard : shards) {
            ExitWindow w = byShard.fetch(shard, t0.toEpochMilli() - t0.toEpochMilli() % 10_000);
            assertThat(w.count).as("shard %s aggregates only its own results", shard).isLessThan(n);
            perShard += w.count;
        }
        assertThat(perShard).isEqualTo(n);
        List<ExitStats> out = stats.readValuesToList();
        assertThat(out).hasSize(n);
        ExitStats last = out.get(out.size() - 1);
        assertThat(last.getCount()).isEqualTo(n);
        assertThat(last.getExitHistogram()).containsOnly((long) n / 12, (long) n / 12 + 1);
        assertThat(last.getRouterShare()).isCloseTo(0.5, within(1e-9));
        assertThat(last.getLatencyP50Ms()).isEqualTo(19.0);
    }
}
