package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.ExitStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shards' windows merge into the window one shard would have built from all their results. */
class ExitWindowMergeTest {
    private static Classification result(int layer, boolean router, long latency) {
        return Classification.newBuilder().setId("x").setLabel("positive").setLabelIndex(1).setProbabilities(List.of(0.5f, 0.5f))
                .setScore(null).setExitLayer(layer).setLayersRun(layer).setNumLayers(12).setPolicy("patience")
                .setSetting("patience=4").setExitedAt(router ? ExitSite.ROUTER : ExitSite.WORKER).setModelVersion("v")
                .setTruncated(false).setEventTime(0L).setEnqueueTime(0L).setExitTime(latency).setLatencyMs(latency).build();
    }

    @Test
    void shouldEqualOneWindowOverAllResultsWhileTheSamplesFit() {
        ExitWindow all = new ExitWindow();
        ExitWindow[] shards = {new ExitWindow(), new ExitWindow(), new ExitWindow()};
        for (int i = 0; i < 300; i++) {
            Classification c = result(1 + i % 12, i % 3 == 0, (i * 37) % 1000);
            all.add(c);
            shards[i % 3].add(c);
        }
        ExitStats merged = ExitWindow.merge(List.of(shards)).toStats(0, 10_000);
        assertThat(merged).isEqualTo(all.toStats(0, 10_000));
    }

    @Test
    void shouldSampleEveryShardByItsShareOnceTheSamplesOverflow() {
        ExitWindow big = new ExitWindow();
        ExitWindow small = new ExitWindow();
        for (int i = 0; i < 3 * ExitWindow.MAX_SAMPLES; i++) {
            big.add(result(6, true, 100));
        }
        for (int i = 0; i < ExitWindow.MAX_SAMPLES; i++) {
            small.add(result(12, false, 900));
        }
        ExitWindow m = ExitWindow.merge(List.of(big, small));
        assertThat(m.count).isEqualTo(4L * ExitWindow.MAX_SAMPLES);
        assertThat(m.latencies).hasSize(ExitWindow.MAX_SAMPLES);
        assertThat(m.latencies.stream().filter(l -> l == 100L).count()).isEqualTo(3L * ExitWindow.MAX_SAMPLES / 4);
        ExitStats s = m.toStats(0, 10_000);
        assertThat(s.getLatencyP50Ms()).isEqualTo(100.0);
        assertThat(s.getLatencyP95Ms()).isEqualTo(900.0);
        assertThat(s.getMeanExitLayer()).isEqualTo((3 * 6 + 12) / 4.0);
    }

    @Test
    void shouldMergeDegradedAndShadowCountsOfEveryShard() {
        ExitWindow all = new ExitWindow();
        ExitWindow[] shards = {new ExitWindow(), new ExitWindow(), new ExitWindow()};
        String[] reasons = {null, "load", "budget", null};
        for (int i = 0; i < 120; i++) {
            Classification c = result(1 + i % 12, i % 2 == 0, i);
            c.setPatienceUsed(i % 5);
            c.setLoweredReason(reasons[i % 4]);
            c.setRouterLayers(i % 3 == 0 ? null : 6);
            all.add(c);
            shards[i % 3].add(c);
            io.pabee.schema.ShadowResult s = AnalyticsShadowTest.shadow("s" + i, i % 10 != 0, reasons[i % 4]);
            all.addShadow(s);
            shards[(i + 1) % 3].addShadow(s);
        }
        ExitStats merged = ExitWindow.merge(List.of(shards)).toStats(0, 10_000);
        assertThat(merged).isEqualTo(all.toStats(0, 10_000));
        assertThat(merged.getLoweredLoad()).isEqualTo(30);
        assertThat(merged.getLoweredBudget()).isEqualTo(30);
        assertThat(merged.getDegradedShare()).isEqualTo(0.5);
        assertThat(merged.getMeanPatienceUsed()).isEqualTo(2.0);
        assertThat(merged.getMeanRouterLayers()).isEqualTo(6.0);
        assertThat(merged.getShadowCount()).isEqualTo(120);
        assertThat(merged.getShadowAgreement()).isEqualTo(0.9);
    }

    @Test
    void shouldReadAnAggregateStoredBeforeTheNewFields() throws Exception {
        byte[] old = "{\"count\":2,\"router\":1,\"numLayers\":12,\"histogram\":[0,2],\"latencies\":[5,7]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ExitWindow w = ExitWindow.serde().deserializer().deserialize("t", old);
        ExitStats s = w.toStats(0, 10_000);
        assertThat(s.getCount()).isEqualTo(2);
        assertThat(s.getDegradedShare()).isZero();
        assertThat(s.getMeanPatienceUsed()).isNull();
        assertThat(s.getShadowCount()).isZero();
        assertThat(s.getShadowAgreement()).isNull();
    }
}
