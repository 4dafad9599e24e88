package io.pabee.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
import io.pabee.wire.ResultBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Shadow runs in a worker on a real broker (pure-Java model, 6 layers, continuations after layer 2 with
 * patience 3, sample 1.0): a record that exits at layer 4 is one result and, through its own shadow
 * continuation, one shadow result; a last-layer exit has none; a shadow continuation that cannot run (another
 * model version) is dropped and counted, never a dead letter, since its record already has its answer.
 */
class WorkerShadowIT {
    private static final int K = 2;

    /** Plays the router: layers 1..K with patience 3, each record a plain continuation. */
    private static List<LayerState> continuations(FakeLayerModel model, Map<String, String> texts) {
        List<LayerState> out = new ArrayList<>();
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        texts.forEach((id, text) -> {
            Tokens t = model.tokenize(text, null);
            fresh.add(new EarlyExitRunner.Fresh(t, new InFlight(id, t.length(), null, 0, new PatiencePolicy(3), new ExitState())));
        });
        ContinuationCodec codec = new ContinuationCodec(model, true, K);
        new EarlyExitRunner(model, 32).runAll(fresh, K, r -> {
            throw new AssertionError("patience 3 cannot exit by layer 2");
        }, r -> out.add(codec.build((String) r.key, r, 1L, null, 2L)));
        return out;
    }

    /** A shadow continuation of another model version, as a router exit at layer 2 would send it. */
    private static LayerState foreignShadow() {
        FakeLayerModel other = new FakeLayerModel(6, 128, "fake-v2");
        Tokens t = other.tokenize("a fine film", null);
        List<InFlight> exited = new ArrayList<>();
        new EarlyExitRunner(other, 8).runAll(List.of(new EarlyExitRunner.Fresh(t,
                new InFlight("foreign-shadow", t.length(), null, 0, new PatiencePolicy(1), new ExitState()))), K, exited::add, r -> { });
        InFlight r = exited.get(0);
        Classification early = new ResultBuilder(other).build("foreign-shadow", r, ExitSite.ROUTER, 1L, 2L, 3L);
        return new ContinuationCodec(other, true, K).shadow(r, early, null);
    }

    @Test
    void shouldShadowEarlyWorkerExitsAndDropFailedShadowRunsWithoutADeadLetter() throws Exception {
        FakeLayerModel model = new FakeLayerModel(6);
        Map<String, String> texts = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            texts.put("steady-" + i, "a fine film " + i);  // patient at layer 4 in the worker
            texts.put("flip-" + i, "flip every layer " + i); // runs to the last layer
        }
        List<LayerState> states = new ArrayList<>(continuations(model, texts));
        states.add(foreignShadow());
        String prefix = "wshadow-";
        try (KafkaBroker kafka = TestBrokers.start()) {
            for (String t : List.of("continuations", "results", "dlq", "shadow")) {
                kafka.createTopic(prefix + t, 2, Map.of());
            }
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (LayerState s : states) {
                in.add(new ProducerRecord<>(prefix + "continuations", s.getId().getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(LayerState.class).encode(s)));
            }
            kafka.produce(prefix + "continuations", in);
            Map<String, Object> p = new HashMap<>();
            p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
            p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
            p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
            p.put(WorkerConfig.SHADOW_TOPIC_CONFIG, prefix + "shadow");
            p.put(WorkerConfig.SHADOW_SAMPLE_CONFIG, 1.0);
            p.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
            p.put(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            Worker w = new Worker(new WorkerConfig(p), client, prefix + "w", metrics, model);
            Thread t = new Thread(w, "worker-shadow");
            t.start();
            try {
                kafka.readAll(prefix + "results", Duration.ofSeconds(60), 12);
                kafka.readAll(prefix + "shadow", Duration.ofSeconds(60), 6);
                List<ConsumerRecord<byte[], byte[]>> results = kafka.readSettled(prefix + "results", Duration.ofSeconds(2),
                        Duration.ofSeconds(60));
                List<ConsumerRecord<byte[], byte[]>> shadows = kafka.readSettled(prefix + "shadow", Duration.ofSeconds(2),
                        Duration.ofSeconds(60));
                List<String> ids = results.stream().map(r -> AvroSerde.of(Classification.class).decode(r.value()).getId()).toList();
                assertThat(ids).doesNotHaveDuplicates().hasSize(12).doesNotContain("foreign-shadow");
                List<ShadowResult> sr = shadows.stream().map(r -> AvroSerde.of(ShadowResult.class).decode(r.value())).toList();
                assertThat(sr).extracting(ShadowResult::getId).doesNotHaveDuplicates().hasSize(6)
                        .allMatch(id -> id.startsWith("steady-"));
                assertThat(sr).allSatisfy(s -> {
                    assertThat(s.getEarlySite()).isEqualTo(ExitSite.WORKER);
                    assertThat(s.getEarlyExitLayer()).isEqualTo(4);
                    assertThat(s.getPatienceUsed()).isEqualTo(3);
                    assertThat(s.getNumLayers()).isEqualTo(6);
                    assertThat(s.getAgree()).isTrue();
                });
                assertThat(kafka.readSettled(prefix + "dlq", Duration.ofSeconds(1), Duration.ofSeconds(30)))
                        .as("a failed shadow run is no dead letter").isEmpty();
                long skipDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (metrics.find("pabee_shadow_skipped_total").tag("reason", "model-mismatch").counter() == null
                        && System.nanoTime() < skipDeadline) {
                    Thread.sleep(20); // counted once its transaction commits
                }
                assertThat(metrics.find("pabee_shadow_skipped_total").tag("reason", "model-mismatch").counter().count()).isEqualTo(1.0);
                assertThat(metrics.find("pabee_shadow_total").tag("agree", "true").counter().count()).isEqualTo(6.0);
                assertThat(metrics.find("pabee_shadow_continuations_total").tag("site", "worker").counter().count()).isEqualTo(6.0);
                assertThat(metrics.find("pabee_dead_letters_total").counter()).isNull();
            } finally {
                w.close();
                t.join(30_000);
            }
        }
    }
}
