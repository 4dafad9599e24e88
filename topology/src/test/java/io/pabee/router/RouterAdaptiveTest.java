package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.adaptive.AdaptiveSettings;
import io.pabee.adaptive.RouterLayers;
import io.pabee.schema.Classification;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router under adaptive patience on the test driver: a pure-Java model of 6 layers, all run in the
 * router, configured patience 3 (a steady record exits at layer 4). The test drives the controller's
 * steps itself, so what it sees depends on the ages it feeds, not on this machine's speed.
 */
class RouterAdaptiveTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final int N = 4;

    @TempDir
    Path stateDir;
    private final FakeLayerModel model = new FakeLayerModel(6);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final RouterTopologyTest.MutableClock clock = new RouterTopologyTest.MutableClock(START);
    private RouterDriver d;
    private AdaptivePatience patience;
    private int sent;

    private void open() {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, 6);
        p.put(RouterConfig.PATIENCE_CONFIG, 3);
        p.put(RouterConfig.BATCH_RECORDS_CONFIG, N);
        p.put(RouterConfig.BATCH_WAIT_CONFIG, 60_000L);
        RouterConfig cfg = new RouterConfig(p);
        patience = new AdaptivePatience("router", new AdaptiveSettings(true, 1000, 1, 1.0, 1000, 5000, 0, 0.9), 3, 6, null,
                metrics);
        d = new RouterDriver(cfg, model, metrics, clock, "router-adaptive", stateDir, START,
                new RouterControls(patience, RouterLayers.fixed(6)));
    }

    @AfterEach
    void close() {
        if (d != null) {
            d.driver.close();
        }
    }

    /** Sends a micro-batch of N steady events of the given age, with an optional latency budget. */
    private Map<String, Classification> batch(long ageMs, Long budgetMs) {
        long now = clock.millis();
        for (int i = 0; i < N; i++) {
            String id = "e" + sent++;
            TextEvent e = TextEvent.newBuilder().setId(id).setText("a fine film").setTextPair(null).setPatience(null)
                    .setEventTime(now - ageMs).setMetadata(null).setLatencyBudgetMs(budgetMs).build();
            d.input.pipeInput(id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e), clock.instant());
        }
        Map<String, Classification> out = new HashMap<>();
        for (KeyValue<String, Classification> kv : d.results.readKeyValuesToList()) {
            out.put(kv.key, kv.value);
        }
        assertThat(out).hasSize(N);
        return out;
    }

    private void step(long ms) {
        clock.advance(Duration.ofMillis(ms));
        patience.tick(clock.millis());
    }

    @Test
    void shouldLowerPatienceUnderLoadSayWhyAndGiveItBackOnceCalm() {
        open();
        Map<String, Classification> before = batch(10_000, null);
        assertThat(before.values()).allSatisfy(c -> {
            assertThat(c.getPatienceUsed()).isEqualTo(3);
            assertThat(c.getPatienceConfigured()).isEqualTo(3);
            assertThat(c.getLoweredReason()).isNull();
            assertThat(c.getExitLayer()).isEqualTo(4);
            assertThat(c.getRouterLayers()).isEqualTo(6);
        });

        step(1000); // the last batch started 10 s after its events: the 1 s target is at risk
        Map<String, Classification> lowered = batch(10_000, null);
        assertThat(lowered.values()).allSatisfy(c -> {
            assertThat(c.getPatienceUsed()).isEqualTo(2);
            assertThat(c.getPatienceConfigured()).isEqualTo(3);
            assertThat(c.getLoweredReason()).isEqualTo("load");
            assertThat(c.getExitLayer()).isEqualTo(3);
        });
        assertThat(metrics.find("pabee_lowered_total").tag("reason", "load").counter().count()).isEqualTo(N);
        assertThat(metrics.find("pabee_adaptive_patience").gauge().value()).isEqualTo(2.0);

        step(1000); // still at risk: one more step, to the floor of 1
        step(1000);
        assertThat(patience.controller().level()).isEqualTo(1.0);

        batch(0, null); // fresh events: calm from here on
        step(1000);
        for (int i = 0; i < 5; i++) {
            step(1000);
        }
        assertThat(patience.controller().level()).as("one step up after 5 s calm").isEqualTo(2.0);
        for (int i = 0; i < 5; i++) {
            step(1000);
        }
        assertThat(patience.plan().lowered()).isFalse();
        Map<String, Classification> after = batch(0, null);
        assertThat(after.values()).allSatisfy(c -> {
            assertThat(c.getPatienceUsed()).isEqualTo(3);
            assertThat(c.getLoweredReason()).isNull();
        });
        assertThat(metrics.find("pabee_adaptive_patience").gauge().value()).isEqualTo(3.0);
    }

    @Test
    void shouldLowerPatienceForAnEventWhoseBudgetTheRequestedOneCannotMeet() {
        open();
        batch(0, null); // measures the time per layer
        assertThat(patience.msPerLayer()).isPositive();
        Map<String, Classification> late = batch(10_000, 5_000L);
        assertThat(late.values()).allSatisfy(c -> {
            assertThat(c.getPatienceUsed()).as("nothing fits an expired budget: the floor").isEqualTo(1);
            assertThat(c.getPatienceConfigured()).isEqualTo(3);
            assertThat(c.getLoweredReason()).isEqualTo("budget");
            assertThat(c.getExitLayer()).isEqualTo(2);
        });
        Map<String, Classification> roomy = batch(0, 3_600_000L);
        assertThat(roomy.values()).allSatisfy(c -> {
            assertThat(c.getPatienceUsed()).isEqualTo(3);
            assertThat(c.getLoweredReason()).isNull();
        });
        assertThat(metrics.find("pabee_lowered_total").tag("reason", "budget").counter().count()).isEqualTo(N);
    }

    @Test
    void shouldDeadLetterANegativeBudget() {
        open();
        TextEvent e = TextEvent.newBuilder().setId("neg").setText("a fine film").setTextPair(null).setPatience(null)
                .setEventTime(clock.millis()).setMetadata(null).setLatencyBudgetMs(-5L).build();
        d.input.pipeInput("neg".getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e), clock.instant());
        assertThat(d.dead.readValuesToList()).singleElement().satisfies(dl -> assertThat(dl.getReason()).isEqualTo("invalid-budget"));
        assertThat(List.of(d.results.getQueueSize())).containsExactly(0L);
    }
}
