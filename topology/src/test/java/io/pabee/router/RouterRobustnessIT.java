package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs of issue 14 that stopped or bloated the router, against a real broker with default
 * limits: each becomes a dead letter with its reason, the router stays RUNNING, the control event
 * sent after them is classified, and every id ends exactly once in results, continuations or dead
 * letters (read_committed, read until the end offsets settle). The model is the pure-Java fake
 * (with one record that makes it throw): what is tested is the router around it.
 */
class RouterRobustnessIT {
    private static KafkaBroker kafka;

    @BeforeAll
    static void start() {
        kafka = TestBrokers.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RouterConfig config(String prefix, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, 2);
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, 3);
        props.put(RouterConfig.PATIENCE_CONFIG, 2);
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, 16);
        props.putAll(extra);
        RouterConfig cfg = new RouterConfig(props);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);
        return cfg;
    }

    private static KafkaStreams router(RouterConfig cfg, SimpleMeterRegistry metrics, Path state, Properties extra) {
        Properties o = new Properties();
        o.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        o.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        o.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        o.putAll(extra);
        Properties p = RouterTopology.streamsConfig(cfg, metrics, kafka.bootstrapServers(), "robust-" + cfg.inputTopic(), o);
        KafkaStreams s = new KafkaStreams(RouterTopology.build(cfg, new RouterLimitsTest.FailingModel(), metrics), p);
        s.start();
        return s;
    }

    /** Sends with a producer that accepts records up to the broker's own limit (the client default is lower). */
    private static void produceBig(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, Object> c = kafka.producerConfig();
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(c)) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                p.send(r).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Id → where it ended: "result", "continuation" or the dead letter's reason; fails on any id seen twice. */
    private static Map<String, String> outcomes(RouterConfig cfg, String control) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(1), 1_000).stream()
                .noneMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(control))) {
            // wait for the control event: everything before it on its partition has been handled
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.resultsTopic(), Duration.ofSeconds(2), Duration.ofSeconds(60))) {
            assertThat(out.put(AvroSerde.of(Classification.class).decode(r.value()).getId(), "result")).as("once").isNull();
        }
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.continuationsTopic(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            assertThat(out.put(AvroSerde.of(LayerState.class).decode(r.value()).getId(), "continuation")).as("once").isNull();
        }
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.deadLetterTopic(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
            assertThat(r.value().length).as("a dead letter is bounded").isLessThan(16 * 1024);
            String key = d.getOriginalKey() == null ? "null" : StandardCharsets.UTF_8.decode(d.getOriginalKey()).toString();
            key = key.length() > 30 ? key.substring(0, 30) : key;
            assertThat(out.put(key, d.getReason())).as("once: %s", key).isNull();
        }
        return out;
    }

    private static ProducerRecord<byte[], byte[]> avro(RouterConfig cfg, String key, String id, String text, Map<String, String> meta) {
        TextEvent e = TextEvent.newBuilder().setId(id).setText(text).setTextPair(null).setPatience(null)
                .setEventTime(System.currentTimeMillis()).setMetadata(meta).build();
        return new ProducerRecord<>(cfg.inputTopic(), b(key), AvroSerde.of(TextEvent.class).encode(e));
    }

    /** Header with TextEvent's fingerprint, then {@code body}. */
    private static byte[] avroBody(byte... body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(SchemaNormalization.parsingFingerprint64(TextEvent.getClassSchema())).array());
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A TextEvent start whose metadata map claims 0x7FFFFFF7 entries: 69 bytes. */
    private static byte[] mapBomb() {
        byte[] start = avroBody((byte) 4, (byte) 'i', (byte) 'd', (byte) 8, (byte) 't', (byte) 'e', (byte) 'x', (byte) 't',
                (byte) 0, (byte) 2, (byte) 0, (byte) 2, (byte) 0xEE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x0F);
        byte[] out = java.util.Arrays.copyOf(start, 69);
        java.util.Arrays.fill(out, start.length, 69, (byte) 'k');
        return out;
    }

    @Test
    void shouldDeadLetterEveryOversizedOrBombAvroInputAndStayUp(@TempDir Path state) throws Exception {
        RouterConfig cfg = config("rob-avro-", Map.of());
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        in.add(avro(cfg, "first", "first", "a fine film", null));
        byte[] notAvro = new byte[1_048_440];
        java.util.Arrays.fill(notAvro, (byte) 'x');
        in.add(new ProducerRecord<>(cfg.inputTopic(), b("big-not-avro"), notAvro));
        String bigText = "a long and winding review that never seems to end . ".repeat(20_162);
        ProducerRecord<byte[], byte[]> bigEvent = avro(cfg, "big-event", "big-event", bigText, null);
        assertThat(bigEvent.value().length).as("the issue's 1,048,460-byte TextEvent").isBetween(1_048_400, 1_048_500);
        in.add(bigEvent);
        in.add(avro(cfg, "long-id", "i".repeat(600_000), "a fine film", null));
        in.add(avro(cfg, "big-metadata", "big-metadata", "a fine film", Map.of("blob", "m".repeat(960_000))));
        in.add(new ProducerRecord<>(cfg.inputTopic(), b("string-bomb"),
                avroBody((byte) 0xE0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x0F, (byte) 'a', (byte) 'b', (byte) 'c')));
        in.add(new ProducerRecord<>(cfg.inputTopic(), b("map-bomb"), mapBomb()));
        in.add(avro(cfg, "model-fails", "model-fails", "one two three four five six seven eight nine ten eleven twelve thirteen", null));
        in.add(avro(cfg, "near-limit", "near-limit", "a fine film . ".repeat(71_000), null));
        // every id goes to partition 0, so the control event comes after all of them
        List<ProducerRecord<byte[], byte[]>> ordered = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : in) {
            ordered.add(new ProducerRecord<>(r.topic(), 0, r.key(), r.value()));
        }
        ordered.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("control"), avro(cfg, "control", "control", "a fine film", null).value()));
        produceBig(ordered);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (KafkaStreams router = router(cfg, metrics, state, new Properties())) {
            Map<String, String> out = outcomes(cfg, "control");
            assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(out).containsOnly(Map.entry("first", "result"), Map.entry("big-not-avro", "too-large"),
                    Map.entry("big-event", "too-large"), Map.entry("long-id", "invalid-id"), Map.entry("big-metadata", "too-large"),
                    Map.entry("string-bomb", "corrupt-avro"), Map.entry("map-bomb", "corrupt-avro"),
                    Map.entry("model-fails", "internal-error"), Map.entry("near-limit", "result"), Map.entry("control", "result"));
            Map<String, Double> counted = new HashMap<>();
            metrics.find("pabee_dead_letters_total").counters().forEach(c -> counted.put(c.getId().getTag("reason"), c.count()));
            assertThat(counted).containsOnly(Map.entry("too-large", 3.0), Map.entry("invalid-id", 1.0),
                    Map.entry("corrupt-avro", 2.0), Map.entry("internal-error", 1.0));
        }
    }

    @Test
    void shouldDeadLetterOversizedJsonAndInvalidIdsAndStayUp(@TempDir Path state) throws Exception {
        RouterConfig cfg = config("rob-json-", Map.of(RouterConfig.INPUT_FORMAT_CONFIG, "json"));
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("unterminated-big"), b("{\"id\":\"u\",\"text\":\"" + "z".repeat(1_040_000))));
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("unterminated"), b("{\"id\":\"u2\",\"text\":\"" + "z".repeat(900_000))));
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("lone-surrogate"), b("{\"id\":\"x\\ud800y\",\"text\":\"a fine film\"}")));
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("control-char"), b("{\"id\":\"x\\u0000y\",\"text\":\"a fine film\"}")));
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("deep"), b("{\"id\":\"deep\",\"text\":\"t\",\"metadata\":"
                + "[".repeat(50_000) + "]".repeat(50_000) + "}")));
        in.add(new ProducerRecord<>(cfg.inputTopic(), 0, b("control"), b("{\"id\":\"control\",\"text\":\"a fine film\"}")));
        produceBig(in);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (KafkaStreams router = router(cfg, metrics, state, new Properties())) {
            Map<String, String> out = outcomes(cfg, "control");
            assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(out).containsOnly(Map.entry("unterminated-big", "too-large"), Map.entry("unterminated", "invalid-json"),
                    Map.entry("lone-surrogate", "invalid-id"), Map.entry("control-char", "invalid-id"),
                    Map.entry("deep", "invalid-json"), Map.entry("control", "result"));
            assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "invalid-id").counter().count()).isEqualTo(2.0);
            assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "invalid-json").counter().count()).isEqualTo(2.0);
            assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "too-large").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldDeadLetterAContinuationTheProducerRefusesAndGoOn(@TempDir Path state) throws Exception {
        // the default limits do not fit a 12,800-byte max.request.size: the start-up check refuses them ...
        RouterConfig cfg = config("rob-refused-", Map.of(RouterConfig.HIDDEN_ENCODING_CONFIG, "fp32"));
        Properties small = new Properties();
        small.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 12_800);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        Map<String, Long> maxima = OutputBudget.maxima(admin, cfg, RouterTopology.streamsConfig(cfg, null,
                kafka.bootstrapServers(), "unused", small));
        assertThat(maxima).containsEntry(OutputBudget.PRODUCER, 12_800L).containsKeys(cfg.resultsTopic(), OutputBudget.CHANGELOG);
        assertThatThrownBy(() -> OutputBudget.check(cfg, new FakeLayerModel(6), maxima)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(cfg.continuationsTopic());
        // ... and the defaults fit what this broker allows
        OutputBudget.check(cfg, new FakeLayerModel(6), OutputBudget.maxima(admin, cfg, RouterTopology.streamsConfig(cfg, null,
                kafka.bootstrapServers(), "unused", new Properties())));
        // run anyway: this event's buffer changelog record (about 12.5 KB) still fits, its continuation (about
        // 13.2 KB with the fp32 hidden state) does not, and becomes a dead letter in its place
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        in.add(avro(cfg, "fat-continuation", "fat-continuation", "flip" + " x".repeat(127), Map.of("note", "n".repeat(12_000))));
        in.add(avro(cfg, "control", "control", "a fine film", null));
        List<ProducerRecord<byte[], byte[]>> ordered = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : in) {
            ordered.add(new ProducerRecord<>(r.topic(), 0, r.key(), r.value()));
        }
        kafka.produce(cfg.inputTopic(), ordered);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (KafkaStreams router = router(cfg, metrics, state, small)) {
            Map<String, String> out = outcomes(cfg, "control");
            assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(out).containsOnly(Map.entry("fat-continuation", "too-large"), Map.entry("control", "result"));
            assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "too-large").counter().count()).isEqualTo(1.0);
        }
    }
}
