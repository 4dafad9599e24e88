package io.pabee.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two workers finish 300 continuations (SST-2 dev, router K = 4, patience 4) on a real broker:
 * exactly 300 results with read_committed, the same labels and exit layers as the in-process staged
 * encoder, also when one worker dies mid-transaction without closing anything.
 */
class WorkerIT {
    private static final int K = 4;
    private static final int N = 300;
    private static KafkaBroker kafka;
    private static ModelDirectory dir;
    private static List<GlueExample> dev;
    private static Map<String, InFlight> atK = new HashMap<>();
    private static Map<String, InFlight> expected = new HashMap<>();
    /** Plays the router (layers 1..K and its continuations) and gives the in-process answers. */
    private static OnnxLayerModel full;
    /** The one model every worker of these tests shares, as the workers of one process do. */
    private static OnnxLayerModel workerModel;

    @BeforeAll
    static void start() {
        Path glue = GlueReader.defaultGlueDir();
        assertTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        try {
            dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15,
                    ModelDirectory.home().resolve(BaseModel.BGE_SMALL_EN_V15.id()), m -> { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        dev = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).subList(0, N);
        // the router's part (layers 1..K) and the full in-process answer, with the same model
        full = OnnxLayerModel.load(dir, "SST-2", StagedEncoder.Options.cpu(), 128);
        EarlyExitRunner runner = new EarlyExitRunner(full, 32);
        List<EarlyExitRunner.Fresh> toK = new ArrayList<>();
        List<EarlyExitRunner.Fresh> all = new ArrayList<>();
        for (GlueExample e : dev) {
            Tokens t = full.tokenize(e.text(), null);
            toK.add(new EarlyExitRunner.Fresh(t, new InFlight(e.id(), t.length(), null, 0, new PatiencePolicy(4), new ExitState())));
            all.add(new EarlyExitRunner.Fresh(t, new InFlight(e.id(), t.length(), null, 0, new PatiencePolicy(4), new ExitState())));
        }
        runner.runAll(toK, K, r -> {
            throw new AssertionError("patience 4 cannot exit by layer 4");
        }, r -> atK.put((String) r.key, r));
        runner.runAll(all, full.numLayers(), r -> expected.put((String) r.key, r), r -> { });
        workerModel = WorkerModel.load(config("model-")); // device cuda, no GPU here: exercises the logged fallback to CPU
        kafka = TestBrokers.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (workerModel != null) {
            workerModel.close();
        }
        if (full != null) {
            full.close();
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> continuations(String topic, boolean fp16) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (GlueExample e : dev) {
            InFlight r = atK.get(e.id());
            LayerState s = new ContinuationCodec(full, fp16, K).build(e.id(), r, System.currentTimeMillis(), null,
                    System.currentTimeMillis());
            out.add(new ProducerRecord<>(topic, e.id().getBytes(StandardCharsets.UTF_8), AvroSerde.of(LayerState.class).encode(s)));
        }
        return out;
    }

    private static WorkerConfig config(String prefix) {
        Map<String, Object> p = new HashMap<>();
        p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
        p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
        p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
        p.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
        p.put(WorkerConfig.MODEL_DIR_CONFIG, dir.path().toString());
        p.put(WorkerConfig.DEVICE_CONFIG, "cuda"); // no GPU here: exercises the logged fallback to CPU
        p.put(WorkerConfig.MAX_IN_FLIGHT_CONFIG, 40);
        p.put(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        return new WorkerConfig(p);
    }

    private Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        // a dead member must leave the group soon so the test does not wait for minutes
        p.put("session.timeout.ms", 6000);
        p.put("heartbeat.interval.ms", 1000);
        p.put("max.poll.interval.ms", 10_000);
        return p;
    }

    private Map<String, Classification> results(String topic, int expectedCount, Duration timeout) {
        Map<String, Classification> out = new HashMap<>();
        kafka.readAll(topic, timeout, expectedCount); // until the expected count is there
        // then until the end offsets settle: a duplicate committed late is read too
        List<ConsumerRecord<byte[], byte[]>> recs = kafka.readSettled(topic, Duration.ofSeconds(2), Duration.ofSeconds(60));
        for (ConsumerRecord<byte[], byte[]> r : recs) {
            Classification c = AvroSerde.of(Classification.class).decode(r.value());
            assertThat(out.put(c.getId(), c)).as("result %s twice", c.getId()).isNull();
        }
        assertThat(recs).hasSize(out.size());
        return out;
    }

    private static double agreement(Map<String, Classification> got) {
        int same = 0;
        for (GlueExample e : dev) {
            Classification c = got.get(e.id());
            InFlight x = expected.get(e.id());
            if (c != null && c.getExitLayer() == x.layersDone && c.getLabelIndex() == x.last.argmax()) {
                same++;
            }
        }
        return (double) same / dev.size();
    }

    private void runPool(String prefix, boolean fp16, boolean crashOne) throws Exception {
        kafka.createTopic(prefix + "continuations", 4, Map.of());
        kafka.createTopic(prefix + "results", 2, Map.of());
        kafka.createTopic(prefix + "dlq", 1, Map.of());
        WorkerConfig cfg = config(prefix);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Worker a = new Worker(cfg, client(), prefix + "a", metrics, workerModel);
        Worker b = new Worker(cfg, client(), prefix + "b", metrics, workerModel);
        Thread ta = new Thread(a, "worker-a");
        Thread tb = new Thread(b, "worker-b");
        ta.start();
        tb.start();
        List<ProducerRecord<byte[], byte[]>> in = continuations(prefix + "continuations", fp16);
        // both workers must own partitions before work arrives, or one may take it all
        long joined = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((a.assignedPartitions() == 0 || b.assignedPartitions() == 0
                || a.assignedPartitions() + b.assignedPartitions() != 4) && System.nanoTime() < joined) {
            Thread.sleep(50);
        }
        assertThat(a.assignedPartitions()).isPositive();
        assertThat(b.assignedPartitions()).isPositive();
        kafka.produce(prefix + "continuations", in.subList(0, N / 2));
        if (crashOne) {
            // let worker a commit some work, then kill it in the middle of its next transaction
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (a.processed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(a.processed()).as("worker a committed something before the crash").isPositive();
            a.crash();
        }
        kafka.produce(prefix + "continuations", in.subList(N / 2, N));
        Map<String, Classification> got = results(prefix + "results", N, Duration.ofSeconds(120));
        // wait a little longer: anything beyond N would be a duplicate
        Map<String, Classification> again = results(prefix + "results", N + 1, Duration.ofSeconds(crashOne ? 3 : 1));
        b.close();
        if (!crashOne) {
            a.close();
        }
        tb.join(30_000);
        assertThat(got).hasSize(N);
        assertThat(again).hasSize(N);
        // real tokens / computed tokens of the workers' layer calls (length-aware batching by default)
        assertThat(metrics.get("pabee_worker_padding_efficiency").gauge().value()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        assertThat(got.values()).allMatch(c -> c.getExitedAt().name().equals("WORKER") && c.getExitLayer() > K);
        double agree = agreement(got);
        if (fp16) {
            assertThat(agree).isGreaterThanOrEqualTo(0.995);
        } else {
            assertThat(agree).isEqualTo(1.0);
        }
        if (crashOne) {
            assertThat(b.processed()).isPositive();
        }
        assertThat(kafka.readSettled(prefix + "dlq", Duration.ofSeconds(1), Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void shouldFinishEveryContinuationOnceWithFp32StatesExactlyLikeInProcess() throws Exception {
        runPool("w32-", false, false);
    }

    @Test
    void shouldFinishEveryContinuationOnceWithFp16States() throws Exception {
        runPool("w16-", true, false);
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenAWorkerDiesMidTransaction() throws Exception {
        runPool("wkill-", true, true);
    }
}
