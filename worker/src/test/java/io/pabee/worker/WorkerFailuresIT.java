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
 * the worker keeps running. A batch whose results cannot be written at all ends as dead letters
 * {@code retries-exhausted}; a fenced worker stops and the next owner of its id finishes its batch once.
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

    private static Map<String, Object> workerConfig(String prefix, int maxRetries) {
        Map<String, Object> p = new HashMap<>();
        p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
        p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
        p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
        p.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
        p.put(WorkerConfig.MAX_RETRIES_CONFIG, maxRetries);
        p.put(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        return p;
    }

    static void produceContinuations(KafkaBroker kafka, String topic, List<LayerState> states) {
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (LayerState s : states) {
            in.add(new ProducerRecord<>(topic, s.getId().getBytes(StandardCharsets.UTF_8), AvroSerde.of(LayerState.class).encode(s)));
        }
        kafka.produce(topic, in);
    }

    private static Map<String, String> flipTexts(String prefix, int n) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            texts.put(prefix + i, "flip a fine film " + i);
        }
        return texts;
    }

    private static List<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void shouldDeadLetterTheBatchRetriesExhaustedWhenEvenOneByOneCannotCommit() throws Exception {
        // results cannot be written at all (the topic refuses record batches over 100 bytes; a transaction marker
        // still fits): every attempt aborts at commit, the one-by-one retry too, and then each record of the
        // batch is a dead letter retries-exhausted
        List<LayerState> states = continuations(new FakeLayerModel(6), flipTexts("r-", 10));
        String prefix = "wexhaust-";
        try (KafkaBroker kafka = TestBrokers.start()) {
            kafka.createTopic(prefix + "continuations", 1, Map.of());
            kafka.createTopic(prefix + "results", 1, Map.of("max.message.bytes", "100"));
            kafka.createTopic(prefix + "dlq", 1, Map.of());
            produceContinuations(kafka, prefix + "continuations", states);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            Worker w = new Worker(new WorkerConfig(workerConfig(prefix, 1)), client, prefix + "w", metrics, new FakeLayerModel(6));
            Thread t = new Thread(w, "worker-exhausted");
            t.start();
            try {
                kafka.readAll(prefix + "dlq", Duration.ofSeconds(90), 10);
                List<ConsumerRecord<byte[], byte[]>> dead = kafka.readSettled(prefix + "dlq", Duration.ofSeconds(2), Duration.ofSeconds(60));
                assertThat(ids(dead)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(states.stream().map(LayerState::getId).toList());
                assertThat(dead).allSatisfy(r -> assertThat(AvroSerde.of(DeadLetter.class).decode(r.value()).getReason())
                        .isEqualTo("retries-exhausted"));
                assertThat(kafka.readSettled(prefix + "results", Duration.ofSeconds(1), Duration.ofSeconds(30))).isEmpty();
                assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "retries-exhausted").counter().count()).isEqualTo(10.0);
                // batch, then one by one (max.retries = 1), each aborted at least once before the dead letters
                assertThat(metrics.find("pabee_worker_aborts_total").tag("cause", "error").counter().count()).isGreaterThanOrEqualTo(2.0);
                assertThat(t.isAlive()).as("the worker keeps running").isTrue();
            } finally {
                w.close();
                t.join(30_000);
            }
        }
    }

    @Test
    void shouldStopWhenFencedAndLeaveItsBatchToTheNextOwnerExactlyOnce() throws Exception {
        FakeLayerModel model = new FakeLayerModel(6);
        List<LayerState> first = continuations(model, flipTexts("a-", 20));
        List<LayerState> second = continuations(model, flipTexts("b-", 20));
        String prefix = "wfence-";
        try (KafkaBroker kafka = TestBrokers.start()) {
            kafka.createTopic(prefix + "continuations", 2, Map.of());
            kafka.createTopic(prefix + "results", 2, Map.of());
            kafka.createTopic(prefix + "dlq", 1, Map.of());
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            WorkerConfig cfg = new WorkerConfig(workerConfig(prefix, 3));
            Worker w = new Worker(cfg, client, prefix + "w", new SimpleMeterRegistry(), model);
            Throwable[] died = new Throwable[1];
            Thread t = new Thread(w, "worker-fenced");
            t.setUncaughtExceptionHandler((th, e) -> died[0] = e);
            t.start();
            produceContinuations(kafka, prefix + "continuations", first);
            assertThat(kafka.readAll(prefix + "results", Duration.ofSeconds(60), 20)).hasSize(20);
            // a second producer with the worker's transactional id (a zombie's successor) fences it
            Properties zombie = new Properties();
            zombie.put("bootstrap.servers", kafka.bootstrapServers());
            zombie.put("transactional.id", "pabee-worker-" + prefix + "w");
            try (var fencer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(zombie,
                    new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                fencer.initTransactions();
            }
            produceContinuations(kafka, prefix + "continuations", second);
            t.join(60_000);
            assertThat(t.isAlive()).as("a fenced worker stops").isFalse();
            assertThat(died[0]).as("it stops on the fencing error").isNotNull();
            System.out.println("fenced worker stopped on: " + died[0]);
            // nothing of the fenced transaction is visible; the next owner (same id, restarted) finishes the batch
            Worker next = new Worker(cfg, client, prefix + "w", new SimpleMeterRegistry(), model);
            Thread t2 = new Thread(next, "worker-next");
            t2.start();
            try {
                kafka.readAll(prefix + "results", Duration.ofSeconds(60), 40);
                List<String> ids = ids(kafka.readSettled(prefix + "results", Duration.ofSeconds(2), Duration.ofSeconds(60)));
                assertThat(ids).doesNotHaveDuplicates().hasSize(40);
                assertThat(kafka.readSettled(prefix + "dlq", Duration.ofSeconds(1), Duration.ofSeconds(30))).isEmpty();
            } finally {
                next.close();
                t2.join(30_000);
            }
        }
    }
}
