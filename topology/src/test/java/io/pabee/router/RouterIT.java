package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.tokenize.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router against a real broker: 200 SST-2 dev sentences and 20 bad records of different kinds
 * in; every good id exactly once in results or continuations, every bad one in the dead-letter
 * topic with its reason; router results equal the in-process staged encoder's.
 */
class RouterIT {
    private static final int K = 6;
    private static final int PATIENCE = 4;
    private static KafkaBroker kafka;
    private static ModelDirectory model;
    private static Path glue;

    @BeforeAll
    static void start() throws Exception {
        glue = GlueReader.defaultGlueDir();
        assertTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        model = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15,
                io.pabee.stage.ModelDirectory.home().resolve(BaseModel.BGE_SMALL_EN_V15.id()), m -> { });
        kafka = TestBrokers.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static byte[] avro(TextEvent e) {
        return AvroSerde.of(TextEvent.class).serializer().serialize(null, e);
    }

    private static TextEvent event(String id, String text, String pair, Integer patience) {
        return TextEvent.newBuilder().setId(id).setText(text).setTextPair(pair).setPatience(patience)
                .setEventTime(System.currentTimeMillis()).setMetadata(null).build();
    }

    /** The 20 bad records and the reason each must be dead-lettered with. */
    static Map<String, ProducerRecord<byte[], byte[]>> badRecords(String topic, Map<String, String> reasons) {
        Map<String, ProducerRecord<byte[], byte[]>> out = new java.util.LinkedHashMap<>();
        byte[] good = avro(event("bad-truncated", "fine text", null, null));
        byte[] unknown = good.clone();
        unknown[2] ^= 0x5a; // same framing, fingerprint nobody knows
        Object[][] cases = {
                {"bad-not-avro", "hello, plain text".getBytes(StandardCharsets.UTF_8), "not-avro"},
                {"bad-json", "{\"id\":\"x\",\"text\":\"json\"}".getBytes(StandardCharsets.UTF_8), "not-avro"},
                {"bad-empty-bytes", new byte[0], "not-avro"},
                {"bad-unknown-schema", unknown, "unknown-schema"},
                {"bad-truncated", java.util.Arrays.copyOf(good, good.length - 6), "corrupt-avro"},
                {"bad-header-only", java.util.Arrays.copyOf(good, 10), "corrupt-avro"},
                {"bad-null-value", null, "null-value"},
                {"bad-empty-text", avro(event("bad-empty-text", "", null, null)), "empty-text"},
                {"bad-space-text", avro(event("bad-space-text", "   \t\n ", null, null)), "empty-text"},
                {"bad-zero-width", avro(event("bad-zero-width", "\u200b\u200b", null, null)), "empty-text"},
                {"bad-controls", avro(event("bad-controls", "\u0000\u0001\u0002", null, null)), "empty-text"},
                {"bad-nbsp", avro(event("bad-nbsp", "\u00a0\u00a0", null, null)), "empty-text"},
                {"bad-patience-neg", avro(event("bad-patience-neg", "ok text", null, -1)), "invalid-patience"},
                {"bad-patience-big", avro(event("bad-patience-big", "ok text", null, 99)), "invalid-patience"},
                {"bad-patience-l1", avro(event("bad-patience-l1", "ok text", null, 13)), "invalid-patience"},
                {"bad-pair-empty", avro(event("bad-pair-empty", "first", "", null)), "empty-text-pair"},
                {"bad-pair-space", avro(event("bad-pair-space", "first", "  ", null)), "empty-text-pair"},
                {"bad-id-empty", avro(event("", "text without id", null, null)), "missing-id"},
                {"bad-id-blank", avro(event("   ", "text with blank id", null, null)), "missing-id"},
                {"bad-random", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}, "corrupt-avro"},
        };
        for (Object[] c : cases) {
            out.put((String) c[0], new ProducerRecord<>(topic, ((String) c[0]).getBytes(StandardCharsets.UTF_8), (byte[]) c[1]));
            reasons.put((String) c[0], (String) c[2]);
        }
        return out;
    }

    @Test
    void shouldAnswerEveryEventExactlyOnceAndDeadLetterTheBadOnes(@TempDir Path stateDir) throws Exception {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics("it-router-"));
        props.put(RouterConfig.PARTITIONS_CONFIG, 2);
        props.put(RouterConfig.MODEL_DIR_CONFIG, model.path().toString());
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, K);
        props.put(RouterConfig.PATIENCE_CONFIG, PATIENCE);
        RouterConfig cfg = new RouterConfig(props);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);

        List<GlueExample> dev = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).subList(0, 200);
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (GlueExample e : dev) {
            in.add(new ProducerRecord<>(cfg.inputTopic(), e.id().getBytes(StandardCharsets.UTF_8),
                    avro(event(e.id(), e.text(), null, null))));
        }
        Map<String, String> reasons = new HashMap<>();
        Map<String, ProducerRecord<byte[], byte[]>> bad = badRecords(cfg.inputTopic(), reasons);
        // interleave the bad records with the good ones
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(in);
        int i = 5;
        for (ProducerRecord<byte[], byte[]> b : bad.values()) {
            all.add(Math.min(i, all.size()), b);
            i += 10;
        }
        kafka.produce(cfg.inputTopic(), all);

        Properties overrides = new Properties();
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        overrides.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (OnnxLayerModel shared = RouterModel.load(cfg);
             KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, shared, metrics),
                RouterTopology.streamsConfig(kafka.bootstrapServers(), "it-router", overrides))) {
            streams.start();
            List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(cfg.deadLetterTopic(), Duration.ofSeconds(90), 20);
            List<ConsumerRecord<byte[], byte[]>> results = new ArrayList<>();
            List<ConsumerRecord<byte[], byte[]>> conts = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (results.size() + conts.size() < 200 && System.nanoTime() < deadline) {
                results = kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(2), 200);
                conts = kafka.readAll(cfg.continuationsTopic(), Duration.ofSeconds(2), 200);
            }

            // dead letters: exactly the 20, each with its reason, and counted per reason
            Map<String, String> dlqReasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dlq) {
                DeadLetter d = AvroSerde.of(DeadLetter.class).deserializer().deserialize(null, r.value());
                String key = new String(d.getOriginalKey().array(), StandardCharsets.UTF_8);
                assertThat(dlqReasons.put(key, d.getReason())).as("dead letter %s twice", key).isNull();
                assertThat(d.getDetail()).isNotBlank();
                assertThat(d.getSourceTopic()).isEqualTo(cfg.inputTopic());
            }
            assertThat(dlqReasons).isEqualTo(reasons);
            assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "not-avro").counter().count()).isEqualTo(3.0);

            // every good id exactly once across results and continuations
            Map<String, Classification> byId = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                Classification c = AvroSerde.of(Classification.class).deserializer().deserialize(null, r.value());
                assertThat(byId.put(c.getId(), c)).as("result %s twice", c.getId()).isNull();
            }
            Map<String, LayerState> contById = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : conts) {
                LayerState s = AvroSerde.of(LayerState.class).deserializer().deserialize(null, r.value());
                assertThat(contById.put(s.getId(), s)).as("continuation %s twice", s.getId()).isNull();
                assertThat(byId).doesNotContainKey(s.getId());
            }
            assertThat(byId.size() + contById.size()).isEqualTo(200);
            assertThat(byId).isNotEmpty();
            assertThat(contById).isNotEmpty();

            // the same decisions as the in-process staged encoder under the same policy
            Map<String, InFlight> expected = inProcess(dev, cfg);
            for (GlueExample e : dev) {
                InFlight x = expected.get(e.id());
                if (x.exited) {
                    Classification c = byId.get(e.id());
                    assertThat(c).as("result for %s", e.id()).isNotNull();
                    assertThat(c.getExitLayer()).isEqualTo(x.layersDone);
                    assertThat(c.getLabelIndex()).isEqualTo(x.last.argmax());
                    assertThat(c.getExitedAt().name()).isEqualTo("ROUTER");
                } else {
                    LayerState s = contById.get(e.id());
                    assertThat(s).as("continuation for %s", e.id()).isNotNull();
                    assertThat(s.getNextLayer()).isEqualTo(K + 1);
                    assertThat(s.getCounter()).isEqualTo(x.state.counter);
                    assertThat(s.getPreviousLabel()).isEqualTo(x.state.previousLabel);
                    assertThat(s.getTokenCount()).isEqualTo(x.length);
                    assertThat(s.getHidden().remaining()).isEqualTo(x.length * 384 * 2);
                }
            }
        }
    }

    private static Map<String, InFlight> inProcess(List<GlueExample> dev, RouterConfig cfg) {
        Map<String, InFlight> out = new HashMap<>();
        try (OnnxLayerModel m = RouterModel.load(cfg)) {
            List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
            for (GlueExample e : dev) {
                Tokens t = m.tokenize(e.text(), null);
                fresh.add(new EarlyExitRunner.Fresh(t, new InFlight(e.id(), t.length(), null, 0, new PatiencePolicy(PATIENCE),
                        new ExitState())));
            }
            new EarlyExitRunner(m, cfg.getInt(RouterConfig.STAGE_BATCH_CONFIG)).runAll(fresh, K, r -> out.put((String) r.key, r), r -> out.put((String) r.key, r));
        }
        return out;
    }
}
