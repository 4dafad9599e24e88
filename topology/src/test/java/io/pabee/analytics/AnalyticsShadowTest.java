package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.ExitStats;
import io.pabee.schema.ShadowResult;
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

/**
 * What results got (lowered by load or budget, patience used, router K) and the shadow runs of a window
 * reach its ExitStats; v1 results (no such fields) count as not lowered and leave the means alone.
 */
class AnalyticsShadowTest {
    private static final Instant T0 = Instant.ofEpochMilli(3_000_000_000_000L);
    private TopologyTestDriver driver;
    private TestInputTopic<String, Classification> results;
    private TestInputTopic<String, ShadowResult> shadows;
    private TestOutputTopic<String, ExitStats> stats;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeEach
    void open() {
        RouterConfig cfg = new RouterConfig(Map.of(RouterConfig.WINDOW_CONFIG, 10_000L));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "analytics-shadow-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(AnalyticsTopology.build(cfg, metrics), props);
        results = driver.createInputTopic(cfg.resultsTopic(), Serdes.String().serializer(),
                AvroSerde.of(Classification.class).serializer());
        shadows = driver.createInputTopic(cfg.shadowTopic(), Serdes.String().serializer(),
                AvroSerde.of(ShadowResult.class).serializer());
        stats = driver.createOutputTopic(cfg.exitStatsTopic(), Serdes.String().deserializer(),
                AvroSerde.of(ExitStats.class).deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    static Classification result(String id, Integer patienceUsed, String lowered, Integer routerLayers) {
        return Classification.newBuilder().setId(id).setLabel("positive").setLabelIndex(1)
                .setProbabilities(List.of(0.2f, 0.8f)).setScore(null).setExitLayer(4).setLayersRun(4)
                .setNumLayers(12).setPolicy("patience").setSetting("patience=4").setExitedAt(ExitSite.ROUTER)
                .setModelVersion("test").setTruncated(false).setEventTime(0L).setEnqueueTime(0L).setExitTime(5L)
                .setLatencyMs(5L).setPatienceUsed(patienceUsed).setPatienceConfigured(patienceUsed == null ? null : 4)
                .setLoweredReason(lowered).setRouterLayers(routerLayers).build();
    }

    static ShadowResult shadow(String id, boolean agree, String lowered) {
        return ShadowResult.newBuilder().setId(id).setEarlyLabel(1).setEarlyScore(null).setFullLabel(agree ? 1 : 0)
                .setFullScore(null).setAgree(agree).setEarlyExitLayer(3).setEarlySite(ExitSite.ROUTER).setPatienceUsed(2)
                .setLoweredReason(lowered).setNumLayers(12).setModelVersion("test").setEventTime(0L).setTime(1L).build();
    }

    @Test
    void shouldCountLoweredResultsAndMeanPatienceAndRouterLayers() {
        results.pipeInput("a", result("a", 4, null, 6), T0);
        results.pipeInput("b", result("b", 2, "load", 6), T0.plusMillis(1));
        results.pipeInput("c", result("c", 1, "budget", 4), T0.plusMillis(2));
        results.pipeInput("d", result("d", null, null, null), T0.plusMillis(3)); // a v1 result
        List<ExitStats> out = stats.readValuesToList();
        ExitStats last = out.get(out.size() - 1);
        assertThat(last.getCount()).isEqualTo(4);
        assertThat(last.getLoweredLoad()).isEqualTo(1);
        assertThat(last.getLoweredBudget()).isEqualTo(1);
        assertThat(last.getDegradedShare()).isCloseTo(0.5, within(1e-12));
        assertThat(last.getMeanPatienceUsed()).isCloseTo(7.0 / 3, within(1e-12));
        assertThat(last.getMeanRouterLayers()).isCloseTo(16.0 / 3, within(1e-12));
        assertThat(last.getShadowCount()).isZero();
        assertThat(last.getShadowAgreement()).isNull();
        assertThat(metrics.get("pabee_shadow_agreement").gauge().value()).isNaN();
    }

    @Test
    void shouldReportOnlyV1ResultsWithoutMeans() {
        results.pipeInput("d", result("d", null, null, null), T0);
        ExitStats last = stats.readValuesToList().get(0);
        assertThat(last.getDegradedShare()).isZero();
        assertThat(last.getMeanPatienceUsed()).isNull();
        assertThat(last.getMeanRouterLayers()).isNull();
    }

    @Test
    void shouldMergeShadowRunsIntoTheirWindowsAgreement() {
        for (int i = 0; i < 8; i++) {
            results.pipeInput("r" + i, result("r" + i, 4, null, 6), T0.plusMillis(i));
        }
        // 10 shadow runs in the window, 7 agree; spread over the shards by id
        for (int i = 0; i < 10; i++) {
            shadows.pipeInput("s" + i, shadow("s" + i, i < 7, i % 2 == 0 ? "load" : null), T0.plusMillis(100 + i));
        }
        // one in the next window, disagreeing
        shadows.pipeInput("late", shadow("late", false, null), T0.plusMillis(10_500));
        Map<Long, ExitStats> byWindow = new HashMap<>();
        stats.readValuesToList().forEach(s -> byWindow.put(s.getWindowStart(), s)); // the last update of each window
        long w0 = T0.toEpochMilli() - T0.toEpochMilli() % 10_000;
        ExitStats first = byWindow.get(w0);
        assertThat(first.getCount()).as("shadow runs are no results").isEqualTo(8);
        assertThat(first.getShadowCount()).isEqualTo(10);
        assertThat(first.getShadowAgreement()).isCloseTo(0.7, within(1e-12));
        ExitStats second = byWindow.get(w0 + 10_000);
        assertThat(second.getCount()).isZero();
        assertThat(second.getShadowCount()).isEqualTo(1);
        assertThat(second.getShadowAgreement()).isZero();
        assertThat(metrics.get("pabee_shadow_agreement").gauge().value()).as("the latest window's").isZero();
    }
}
