package io.pabee.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.adaptive.AdaptiveSettings;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A worker whose process is overloaded lowers the patience of the continuations it resumes, and a
 * continuation whose latency budget has run out gets the lowest patience; each result says so. The
 * controller's plan is set by feeding it one overloaded interval, not by this machine's speed.
 */
class WorkerAdaptiveIT {
    private static final int K = 1;

    /** Steady records after layer K at patience 3 (they exit at layer 4 unless lowered). */
    private static List<LayerState> continuations(FakeLayerModel model, int n, long eventTime, Long budget) {
        List<LayerState> out = new ArrayList<>();
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Tokens t = model.tokenize("a fine film " + i, null);
            fresh.add(new EarlyExitRunner.Fresh(t, new InFlight((budget == null ? "c-" : "b-") + i, t.length(), null, 0,
                    new PatiencePolicy(3), new ExitState())));
        }
        ContinuationCodec codec = new ContinuationCodec(model, false, K);
        new EarlyExitRunner(model, 32).runAll(fresh, K, r -> {
            throw new AssertionError("nothing exits at layer 1");
        }, r -> {
            LayerState s = codec.build((String) r.key, r, eventTime, null, eventTime);
            s.setLatencyBudgetMs(budget);
            out.add(s);
        });
        return out;
    }

    @Test
    void shouldLowerTheResumedPatienceUnderLoadAndForAnExpiredBudget() throws Exception {
        FakeLayerModel model = new FakeLayerModel(6);
        long old = System.currentTimeMillis() - 60_000;
        List<LayerState> states = new ArrayList<>(continuations(model, 10, old, null));
        states.addAll(continuations(model, 3, old, 1_000L));
        String prefix = "wadapt-";
        try (KafkaBroker kafka = TestBrokers.start()) {
            kafka.createTopic(prefix + "continuations", 2, Map.of());
            kafka.createTopic(prefix + "results", 2, Map.of());
            kafka.createTopic(prefix + "dlq", 1, Map.of());
            WorkerFailuresIT.produceContinuations(kafka, prefix + "continuations", states);
            Map<String, Object> p = new HashMap<>();
            p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
            p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
            p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
            p.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
            p.put(WorkerConfig.PATIENCE_CONFIG, 3);
            WorkerConfig cfg = new WorkerConfig(p);
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            AdaptivePatience patience = new AdaptivePatience("worker", new AdaptiveSettings(true, 1000, 1, 1.0, 1000, 10_000, 0, 0.9),
                    3, 6, null, metrics);
            // one overloaded interval: records a minute old against a 1 s target, 10 ms a layer
            patience.batchDone(10, 60_000, 100_000_000L, 10);
            patience.tick(System.currentTimeMillis());
            assertThat(patience.controller().level()).isEqualTo(2.0);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            Worker w = new Worker(cfg, client, prefix + "w", metrics, model, patience);
            Thread t = new Thread(w, "worker-adaptive");
            t.start();
            Map<String, Classification> out = new HashMap<>();
            try {
                kafka.readAll(prefix + "results", Duration.ofSeconds(90), states.size());
                for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(prefix + "results", Duration.ofSeconds(2),
                        Duration.ofSeconds(60))) {
                    Classification c = AvroSerde.of(Classification.class).decode(r.value());
                    assertThat(out.put(c.getId(), c)).as("result %s twice", c.getId()).isNull();
                }
            } finally {
                w.close();
                t.join(30_000);
            }
            assertThat(out).hasSize(states.size());
            out.forEach((id, c) -> {
                assertThat(c.getPatienceConfigured()).isEqualTo(3);
                assertThat(c.getRouterLayers()).isEqualTo(K);
                if (id.startsWith("c-")) {
                    assertThat(c.getPatienceUsed()).isEqualTo(2);
                    assertThat(c.getLoweredReason()).isEqualTo("load");
                    assertThat(c.getExitLayer()).isEqualTo(3);
                } else {
                    assertThat(c.getPatienceUsed()).as("an expired budget: the lowest patience").isEqualTo(1);
                    assertThat(c.getLoweredReason()).isEqualTo("budget");
                    assertThat(c.getExitLayer()).isEqualTo(2);
                }
            });
            assertThat(metrics.find("pabee_lowered_total").tag("role", "worker").tag("reason", "load").counter().count()).isEqualTo(10);
        }
    }
}
