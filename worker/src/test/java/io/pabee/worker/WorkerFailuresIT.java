package io.pabee.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A worker on a real broker with a pure-Java model that fails on one record: that record alone is a
 * dead letter {@code internal-error} (after the batch's retries, run one by one), undecodable and
 * foreign-model continuations are dead letters with their reasons, every other id is one result, and
 * the worker keeps running.
 */
class WorkerFailuresIT {
    private static final int K = 3;

    /** The fake model, except that layers after K throw for a record of exactly 13 tokens. */
    static final class FailingModel extends FakeLayerModel {
        FailingModel() {
            super(6);
        }

        @Override
        public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
            for (int l : lengths) {
                if (layer > K && l == 13) {
                    throw new IllegalStateException("layer " + layer + " failed on a 13-token record");
                }
            }
            return super.layer(layer, hiddens, lengths);
        }
    }

    /** Plays the router: layers 1..K of {@code model}; {@code flip} texts are never patient, so all continue. */
    private static List<LayerState> continuations(FakeLayerModel model, Map<String, String> texts) {
        List<LayerState> out = new ArrayList<>();
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        texts.forEach((id, text) -> {
            Tokens t = model.tokenize(text, null);
            fresh.add(new EarlyExitRunner.Fresh(t, new InFlight(id, t.length(), null, 0, new PatiencePolicy(2), new ExitState())));
        });
        ContinuationCodec codec = new ContinuationCodec(model, false, K);
        new EarlyExitRunner(model, 32).runAll(fresh, K, r -> {
            throw new AssertionError("flip records do not exit in the router");
        }, r -> out.add(codec.build((String) r.key, r, 1L, null, 2L)));
        return out;
    }

    @Test
    void shouldDeadLetterOnlyTheFailingRecordsAndAnswerTheRest() throws Exception {
        Map<String, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            texts.put("ok-" + i, "flip a fine film " + i);
        }
        texts.put("kaboom", "flip two three four five six seven eight nine ten eleven twelve thirteen");
        List<LayerState> states = continuations(new FakeLayerModel(6), texts);
        LayerState foreign = continuations(new FakeLayerModel(6, 128, "fake-v2"), Map.of("foreign", "flip other model")).get(0);
        String prefix = "wfail-";
        try (KafkaBroker kafka = TestBrokers.start()) {
            kafka.createTopic(prefix + "continuations", 2, Map.of());
            kafka.createTopic(prefix + "results", 2, Map.of());
            kafka.createTopic(prefix + "dlq", 1, Map.of());
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (LayerState s : states) {
                in.add(new ProducerRecord<>(prefix + "continuations", s.getId().getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(LayerState.class).encode(s)));
            }
            in.add(new ProducerRecord<>(prefix + "continuations", "foreign".getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(LayerState.class).encode(foreign)));
            in.add(new ProducerRecord<>(prefix + "continuations", "garbage".getBytes(StandardCharsets.UTF_8),
                    "not a continuation".getBytes(StandardCharsets.UTF_8)));
            kafka.produce(prefix + "continuations", in);
            Map<String, Object> p = new HashMap<>();
            p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
            p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
            p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
            p.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
            p.put(WorkerConfig.MAX_RETRIES_CONFIG, 1);
            p.put(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            Worker w = new Worker(new WorkerConfig(p), client, prefix + "w", metrics, new FailingModel());
            Thread t = new Thread(w, "worker-failures");
            t.start();
            try {
                kafka.readAll(prefix + "results", Duration.ofSeconds(60), 20);
                List<ConsumerRecord<byte[], byte[]>> results = kafka.readSettled(prefix + "results", Duration.ofSeconds(2),
                        Duration.ofSeconds(60));
                List<ConsumerRecord<byte[], byte[]>> dead = kafka.readSettled(prefix + "dlq", Duration.ofSeconds(1),
                        Duration.ofSeconds(30));
                assertThat(t.isAlive()).as("the worker keeps running").isTrue();
                List<String> ids = results.stream().map(r -> AvroSerde.of(Classification.class).decode(r.value()).getId()).toList();
                assertThat(ids).doesNotHaveDuplicates().hasSize(20).allMatch(id -> id.startsWith("ok-"));
                Map<String, String> reasons = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : dead) {
                    DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
                    assertThat(reasons.put(new String(r.key(), StandardCharsets.UTF_8), d.getReason())).as("one dead letter per id").isNull();
                }
                assertThat(reasons).containsOnly(Map.entry("kaboom", "internal-error"), Map.entry("foreign", "model-mismatch"),
                        Map.entry("garbage", "not-avro"));
                for (String reason : List.of("internal-error", "model-mismatch", "not-avro")) {
                    assertThat(metrics.find("pabee_dead_letters_total").tag("stage", "worker").tag("reason", reason).counter()
                            .count()).as(reason).isEqualTo(1.0);
                }
                assertThat(metrics.find("pabee_worker_aborts_total").tag("cause", "error").counter().count())
                        .as("the batch with the failing record was aborted, then run one by one").isGreaterThanOrEqualTo(1.0);
            } finally {
                w.close();
                t.join(30_000);
            }
        }
    }
}
