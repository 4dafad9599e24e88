package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.config.CommonConfigs;
import io.pabee.patience.HeadOutput;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowResult;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.shadow.ShadowListener;
import io.pabee.stage.FakeLayerModel;
import io.pabee.tokenize.Tokens;
import io.pabee.worker.Worker;
import io.pabee.worker.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router, worker and shadow listener on a real broker with a pure-Java model (6 layers, router K = 2) and
 * shadow sample 1.0: every id exactly once in the results; one shadow result per record that exited
 * before the last layer, in the router or in the worker, and none for a last-layer exit; no shadow run in
 * the results; a record whose label turns after its early exit is a disagreement; the listener's window
 * and the worker's counter see the same runs.
 */
class ShadowRunsIT {
    private static final int K = 2;
    private static final int EACH = 8;

    /**
     * The fake model plus {@code turn ...} records: label 1 (positive) through layer 4, then 0, so patience 1
     * exits them at layer 2 in the router with an answer the last layer contradicts.
     */
    static final class TurningModel extends FakeLayerModel {
        TurningModel() {
            super(6);
        }

        @Override
        public Tokens tokenize(String text, String pair) {
            Tokens t = super.tokenize(text, pair);
            if (text.startsWith("turn")) {
                long[] ids = t.ids().clone();
                ids[0] = 3;
                return new Tokens(ids, new long[ids.length], t.truncated());
            }
            return t;
        }

        @Override
        public List<float[]> embed(List<Tokens> batch) {
            List<float[]> out = super.embed(batch);
            for (int r = 0; r < batch.size(); r++) {
                if (batch.get(r).ids()[0] == 3) {
                    float[] h = out.get(r);
                    for (int i = 0; i < h.length; i += HIDDEN) {
                        h[i] = 2f; // mode: 2 = turn
                    }
                }
            }
            return out;
        }

        @Override
        public HeadOutput apply(int layer, float[] hidden) {
            if (hidden[0] == 2f) {
                return HeadOutput.classification(layer <= 4 ? new float[] {0.1f, 0.9f} : new float[] {0.8f, 0.2f});
            }
            return super.apply(layer, hidden);
        }
    }

    private static byte[] event(String id, String text, Integer patience) {
        return AvroSerde.of(TextEvent.class).encode(TextEvent.newBuilder().setId(id).setText(text).setTextPair(null)
                .setPatience(patience).setEventTime(System.currentTimeMillis()).setMetadata(null).build());
    }

    @Test
    void shouldShadowEveryEarlyExitOnceAndNeverTouchTheResults(@TempDir Path state) throws Exception {
        String prefix = "shadow-it-";
        TurningModel model = new TurningModel();
        try (KafkaBroker kafka = TestBrokers.start()) {
            Map<String, Object> rp = new HashMap<>(RouterConfig.prefixedTopics(prefix));
            rp.put(RouterConfig.PARTITIONS_CONFIG, 2);
            rp.put(RouterConfig.ROUTER_LAYERS_CONFIG, K);
            rp.put(RouterConfig.PATIENCE_CONFIG, 3);
            rp.put(RouterConfig.BATCH_WAIT_CONFIG, 20L);
            rp.put(CommonConfigs.SHADOW_SAMPLE_CONFIG, 1.0);
            RouterConfig cfg = new RouterConfig(rp);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(client, cfg);

            Map<String, Object> wp = new HashMap<>();
            wp.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, cfg.continuationsTopic());
            wp.put(WorkerConfig.RESULTS_TOPIC_CONFIG, cfg.resultsTopic());
            wp.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, cfg.deadLetterTopic());
            wp.put(WorkerConfig.SHADOW_TOPIC_CONFIG, cfg.shadowTopic());
            wp.put(WorkerConfig.SHADOW_SAMPLE_CONFIG, 1.0);
            wp.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
            wp.put(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            Worker worker = new Worker(new WorkerConfig(wp), client, prefix + "w", metrics, model);
            Thread wt = new Thread(worker, "shadow-it-worker");

            Properties so = new Properties();
            so.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            so.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            so.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            ShadowListener listener = new ShadowListener(client, cfg.shadowTopic(), new AgreementWindow(), metrics).start();
            long listening = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!listener.started() && System.nanoTime() < listening) {
                Thread.sleep(20); // waiting for the listener to find the topic's end, with a deadline
            }
            assertThat(listener.started()).isTrue();
            try (KafkaStreams router = new KafkaStreams(RouterTopology.build(cfg, model, metrics),
                    RouterTopology.streamsConfig(kafka.bootstrapServers(), prefix + "router", so))) {
                wt.start();
                router.start();
                List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
                for (int i = 0; i < EACH; i++) {
                    // router exit at layer 2 (patience 1), worker exit at layer 4 (patience 3), last-layer exit,
                    // and a router exit whose label turns by the last layer
                    in.add(new ProducerRecord<>(cfg.inputTopic(), ("r-" + i).getBytes(StandardCharsets.UTF_8),
                            event("r-" + i, "a fine film " + i, 1)));
                    in.add(new ProducerRecord<>(cfg.inputTopic(), ("w-" + i).getBytes(StandardCharsets.UTF_8),
                            event("w-" + i, "a fine film " + i, null)));
                    in.add(new ProducerRecord<>(cfg.inputTopic(), ("f-" + i).getBytes(StandardCharsets.UTF_8),
                            event("f-" + i, "flip every layer " + i, null)));
                    in.add(new ProducerRecord<>(cfg.inputTopic(), ("t-" + i).getBytes(StandardCharsets.UTF_8),
                            event("t-" + i, "turn late " + i, 1)));
                }
                kafka.produce(cfg.inputTopic(), in);
                int n = 4 * EACH;
                int shadowed = 3 * EACH;
                kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(120), n);
                kafka.readAll(cfg.shadowTopic(), Duration.ofSeconds(120), shadowed);
                List<ConsumerRecord<byte[], byte[]>> results = kafka.readSettled(cfg.resultsTopic(), Duration.ofSeconds(2),
                        Duration.ofSeconds(60));
                List<ConsumerRecord<byte[], byte[]>> shadows = kafka.readSettled(cfg.shadowTopic(), Duration.ofSeconds(2),
                        Duration.ofSeconds(60));

                Map<String, Classification> byId = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : results) {
                    Classification c = AvroSerde.of(Classification.class).decode(r.value());
                    assertThat(byId.put(c.getId(), c)).as("result %s twice", c.getId()).isNull();
                }
                assertThat(byId).hasSize(n);
                for (int i = 0; i < EACH; i++) {
                    assertThat(byId.get("r-" + i)).satisfies(c -> {
                        assertThat(c.getExitedAt()).isEqualTo(ExitSite.ROUTER);
                        assertThat(c.getExitLayer()).isEqualTo(2);
                    });
                    assertThat(byId.get("w-" + i)).satisfies(c -> {
                        assertThat(c.getExitedAt()).isEqualTo(ExitSite.WORKER);
                        assertThat(c.getExitLayer()).isEqualTo(4);
                    });
                    assertThat(byId.get("f-" + i).getExitLayer()).isEqualTo(6);
                    assertThat(byId.get("t-" + i).getLabel()).as("the early answer stands").isEqualTo("positive");
                }

                Map<String, ShadowResult> shadowById = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : shadows) {
                    ShadowResult s = AvroSerde.of(ShadowResult.class).decode(r.value());
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.getId());
                    assertThat(shadowById.put(s.getId(), s)).as("shadow result %s twice", s.getId()).isNull();
                }
                assertThat(shadowById.keySet()).as("one per early exit, none for the last-layer exits")
                        .hasSize(shadowed).allMatch(id -> !id.startsWith("f-"));
                for (int i = 0; i < EACH; i++) {
                    ShadowResult r = shadowById.get("r-" + i);
                    assertThat(r.getEarlySite()).isEqualTo(ExitSite.ROUTER);
                    assertThat(r.getEarlyExitLayer()).isEqualTo(2);
                    assertThat(r.getPatienceUsed()).isEqualTo(1);
                    assertThat(r.getAgree()).isTrue();
                    ShadowResult w = shadowById.get("w-" + i);
                    assertThat(w.getEarlySite()).isEqualTo(ExitSite.WORKER);
                    assertThat(w.getEarlyExitLayer()).isEqualTo(4);
                    assertThat(w.getPatienceUsed()).isEqualTo(3);
                    assertThat(w.getAgree()).isTrue();
                    ShadowResult t = shadowById.get("t-" + i);
                    assertThat(t.getEarlyLabel()).isEqualTo(1);
                    assertThat(t.getFullLabel()).isZero();
                    assertThat(t.getAgree()).isFalse();
                }
                assertThat(kafka.readSettled(cfg.deadLetterTopic(), Duration.ofSeconds(1), Duration.ofSeconds(30))).isEmpty();
                long shadowContinuations = kafka.readSettled(cfg.continuationsTopic(), Duration.ofSeconds(1), Duration.ofSeconds(30))
                        .stream().filter(r -> AvroSerde.of(LayerState.class).decode(r.value()).getShadow() != null).count();
                assertThat(shadowContinuations).isEqualTo(shadowed);

                long counted = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (listener.window().agreement(0).count() < shadowed && System.nanoTime() < counted) {
                    Thread.sleep(50); // the listener reads the committed shadow results on its own thread
                }
                AgreementWindow.Agreement a = listener.window().agreement(0);
                assertThat(a.count()).isEqualTo(shadowed);
                assertThat(a.agreeing()).isEqualTo(2L * EACH);
                assertThat(a.loweredCount()).isZero();
                assertThat(metrics.find("pabee_shadow_total").tag("agree", "true").counter().count()).isEqualTo(2.0 * EACH);
                assertThat(metrics.find("pabee_shadow_total").tag("agree", "false").counter().count()).isEqualTo(EACH);
            } finally {
                worker.close();
                wt.join(30_000);
                listener.close();
            }
        }
    }
}
