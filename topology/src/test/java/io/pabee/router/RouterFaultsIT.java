package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.ModelFileException;
import io.pabee.stage.OnnxLayerModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults around the router: every input id still comes out exactly once (read_committed), or the router refuses to start. */
class RouterFaultsIT {
    private static ModelDirectory model;
    private static List<GlueExample> dev;
    /** One model for every router instance of these tests, as in a router process: reused across restarts. */
    private static OnnxLayerModel shared;

    @BeforeAll
    static void load() throws Exception {
        model = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, ModelDirectory.home().resolve(BaseModel.BGE_SMALL_EN_V15.id()),
                m -> { });
        shared = RouterModel.load(config("model-", model.path()));
    }

    /** 300 SST-2 dev texts; only the restart tests need GLUE data (the model-corruption test does not). */
    private static List<GlueExample> dev() {
        if (dev == null) {
            Path glue = GlueReader.defaultGlueDir();
            assertTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue
                    + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
            dev = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).subList(0, 300);
        }
        return dev;
    }

    @AfterAll
    static void closeModel() {
        if (shared != null) {
            shared.close();
        }
    }

    private static RouterConfig config(String prefix, Path modelDir) {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, 2);
        props.put(RouterConfig.MODEL_DIR_CONFIG, modelDir.toString());
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, 32);
        return new RouterConfig(props);
    }

    private static List<ProducerRecord<byte[], byte[]>> events(RouterConfig cfg, List<GlueExample> examples) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (GlueExample e : examples) {
            TextEvent ev = TextEvent.newBuilder().setId(e.id()).setText(e.text()).setTextPair(null).setPatience(null)
                    .setEventTime(System.currentTimeMillis()).setMetadata(null).build();
            out.add(new ProducerRecord<>(cfg.inputTopic(), e.id().getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(ev)));
        }
        return out;
    }

    private static KafkaStreams streams(EmbeddedBroker kafka, RouterConfig cfg, Path state) {
        Properties o = new Properties();
        o.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        o.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        o.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        return new KafkaStreams(RouterTopology.build(cfg, shared, new SimpleMeterRegistry()),
                RouterTopology.streamsConfig(kafka.bootstrapServers(), "faults-" + cfg.inputTopic(), o));
    }

    /**
     * Ids across results, continuations and dead letters, asserting none appears twice: waits for
     * {@code expected}, then reads every topic until its end offsets settle (read_committed), so a
     * duplicate committed late is seen. A reprocessed event would be a duplicate-id dead letter, so the
     * dead-letter topic counts too.
     */
    private static Set<String> answered(EmbeddedBroker kafka, RouterConfig cfg, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> ids = new HashSet<>();
        while (System.nanoTime() < deadline && ids.size() < expected) {
            ids.clear();
            kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(1), expected).forEach(r -> ids.add(new String(r.key())));
            kafka.readAll(cfg.continuationsTopic(), Duration.ofSeconds(1), expected).forEach(r -> ids.add(new String(r.key())));
        }
        ids.clear();
        List<String> all = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.resultsTopic(), Duration.ofSeconds(2), Duration.ofSeconds(60))) {
            all.add(AvroSerde.of(Classification.class).decode(r.value()).getId());
        }
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.continuationsTopic(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            all.add(AvroSerde.of(LayerState.class).decode(r.value()).getId());
        }
        List<String> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.deadLetterTopic(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
            all.add(d.getId());
            dead.add(d.getId() + ": " + d.getReason());
        }
        ids.addAll(all);
        assertThat(all).as("no id twice").hasSize(ids.size());
        assertThat(dead).as("no dead letters (a reprocessed event would be duplicate-id)").isEmpty();
        return ids;
    }

    /** A clean stop and start (the SIGKILL of a router process is {@link RouterKillIT}). */
    @Test
    void shouldAnswerEveryEventOnceAcrossARouterRestart(@TempDir Path state) {
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            RouterConfig cfg = config("restart-", model.path());
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(admin, cfg);
            kafka.produce(cfg.inputTopic(), events(cfg, dev()));
            try (KafkaStreams first = streams(kafka, cfg, state)) {
                first.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(1), 40).size() < 40 && System.nanoTime() < deadline) {
                    // mid-stream: some answered, most still to come
                }
            } // stopped mid-stream: buffered events are in the changelogged store, offsets only with their answers
            try (KafkaStreams second = streams(kafka, cfg, state)) {
                second.start();
                Set<String> ids = answered(kafka, cfg, dev().size(), Duration.ofSeconds(120));
                assertThat(ids).hasSize(dev().size());
            }
        }
    }

    @Test
    void shouldAnswerEveryEventOnceAcrossABrokerRestart(@TempDir Path state) throws Exception {
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            RouterConfig cfg = config("broker-", model.path());
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(admin, cfg);
            List<ProducerRecord<byte[], byte[]>> in = events(cfg, dev());
            kafka.produce(cfg.inputTopic(), in.subList(0, 150));
            try (KafkaStreams router = streams(kafka, cfg, state)) {
                router.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(1), 30).size() < 30 && System.nanoTime() < deadline) {
                    // mid-stream: some answered, most still to come
                }
                kafka.stop(); // same log dirs and port on restart
                Thread.sleep(2000); // the broker stays down for a while, as in a real outage
                kafka.restart();
                kafka.produce(cfg.inputTopic(), in.subList(150, in.size()));
                Set<String> ids = answered(kafka, cfg, dev().size(), Duration.ofSeconds(180));
                assertThat(ids).hasSize(dev().size());
                assertThat(router.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
            }
        }
    }

    @Test
    void shouldRefuseToStartWithACorruptedOrMissingModelFile(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("model");
        Files.createDirectories(copy.resolve("heads"));
        for (String f : model.manifest().sha256.keySet()) {
            if (!f.equals("monolithic.onnx")) {
                Files.copy(model.path().resolve(f), copy.resolve(f));
            }
        }
        Files.copy(model.path().resolve("manifest.json"), copy.resolve("manifest.json"));
        RouterConfig cfg = config("corrupt-", copy);
        RouterModel.load(cfg).close(); // the intact copy loads
        Files.write(copy.resolve("stage-05.onnx"), new byte[] {0}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> RouterModel.load(cfg)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("stage-05.onnx").hasMessageContaining("sha256");
        Files.delete(copy.resolve("stage-05.onnx"));
        assertThatThrownBy(() -> RouterModel.load(cfg)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("stage-05.onnx").hasMessageContaining("missing");
    }
}
