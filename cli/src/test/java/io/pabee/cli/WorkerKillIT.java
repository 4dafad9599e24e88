package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.broker.EmbeddedBroker;
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
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Two worker processes; one is SIGKILLed mid-stream; the committed results still hold every id exactly once. */
class WorkerKillIT {
    private static final int N = 300;

    private static Process worker(EmbeddedBroker kafka, Path modelDir, String prefix, String name, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Pabee.class.getName(), "worker",
                "--bootstrap-servers", kafka.bootstrapServers()));
        for (String kv : List.of("pabee.topic.continuations=" + prefix + "continuations", "pabee.topic.results=" + prefix + "results",
                "pabee.topic.dead.letters=" + prefix + "dlq", "pabee.worker.group=" + prefix + "workers",
                "pabee.model.dir=" + modelDir, "pabee.worker.device=cpu", "pabee.worker.max.in.flight=40",
                // session timeout and heartbeat are the worker's role defaults (6 s / 1.5 s); the transaction timeout
                // bounds how long a killed worker's open transaction hides later results from read_committed readers
                "pabee.worker.transaction.timeout.ms=10000", "max.poll.interval.ms=10000", "client.id=" + name)) {
            cmd.add("--set");
            cmd.add(kv);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenAWorkerProcessIsKilled() throws Exception {
        Path glue = CliRun.glueDir();
        String home = System.getProperty("pabee.home", "../models/prepared");
        ModelDirectory dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, Path.of(home, "bge-small-en-v15"), m -> { });
        List<GlueExample> dev = GlueReader.read(glue, GlueTask.SST_2, Split.DEV).subList(0, N);
        List<LayerState> atK = new ArrayList<>();
        // play the router: layers 1..4 and the continuations it writes
        try (OnnxLayerModel m = OnnxLayerModel.load(dir, "SST-2", StagedEncoder.Options.cpu().layers(0, 4), 128)) {
            List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
            for (GlueExample e : dev) {
                Tokens t = m.tokenize(e.text(), null);
                fresh.add(new EarlyExitRunner.Fresh(t, new InFlight(e.id(), t.length(), null, 0, new PatiencePolicy(4), new ExitState())));
            }
            ContinuationCodec codec = new ContinuationCodec(m, true, 4);
            new EarlyExitRunner(m, 32).runAll(fresh, 4, r -> { },
                    r -> atK.add(codec.build((String) r.key, r, System.currentTimeMillis(), null, System.currentTimeMillis())));
        }
        assertThat(atK).hasSize(N);
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            String prefix = "kill-";
            kafka.createTopic(prefix + "continuations", 4, Map.of());
            kafka.createTopic(prefix + "results", 2, Map.of());
            kafka.createTopic(prefix + "dlq", 1, Map.of());
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (LayerState s : atK) {
                in.add(new ProducerRecord<>(prefix + "continuations", s.getId().getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(LayerState.class).encode(s)));
            }
            Path logs = Files.createTempDirectory("worker-kill");
            Process a = worker(kafka, dir.path(), prefix, "worker-a", logs.resolve("a.log"));
            Process b = worker(kafka, dir.path(), prefix, "worker-b", logs.resolve("b.log"));
            try {
                kafka.produce(prefix + "continuations", in.subList(0, N / 2));
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (kafka.readAll(prefix + "results", Duration.ofMillis(500), 60).size() < 60 && System.nanoTime() < deadline) {
                    assertThat(a.isAlive()).as("worker a alive; log: %s", logs).isTrue();
                }
                long visibleAtKill = kafka.readAll(prefix + "results", Duration.ofMillis(300), N).size();
                long killed = System.nanoTime();
                a.destroyForcibly(); // SIGKILL: no shutdown hook, no close, an open transaction left behind
                assertThat(a.waitFor() == 137 || a.exitValue() != 0).isTrue();
                kafka.produce(prefix + "continuations", in.subList(N / 2, N));
                // the first moment more results are visible than at the kill, and when all are
                double firstNew = -1;
                List<ConsumerRecord<byte[], byte[]>> out = List.of();
                while (out.size() < N && System.nanoTime() - killed < Duration.ofSeconds(180).toNanos()) {
                    out = kafka.readAll(prefix + "results", Duration.ofMillis(300), N);
                    if (firstNew < 0 && out.size() > visibleAtKill) {
                        firstNew = (System.nanoTime() - killed) / 1e9;
                    }
                }
                double all = (System.nanoTime() - killed) / 1e9;
                System.out.printf("WorkerKillIT: after SIGKILL, new results visible after %.1f s, all %d after %.1f s%n",
                        firstNew, N, all);
                // settle: read until the end offsets stay put, so a duplicate committed late is read too
                List<ConsumerRecord<byte[], byte[]>> after = kafka.readSettled(prefix + "results", Duration.ofSeconds(3),
                        Duration.ofSeconds(60));
                Map<String, List<String>> copies = new java.util.TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r : after) {
                    Classification c = AvroSerde.of(Classification.class).decode(r.value());
                    copies.computeIfAbsent(c.getId(), k -> new ArrayList<>()).add(r.partition() + "@" + r.offset() + " exit "
                            + c.getExitTime() + " label " + c.getLabel());
                }
                copies.values().removeIf(v -> v.size() == 1);
                assertThat(copies).as("ids written twice (partition@offset, exit time), worker logs in %s", logs).isEmpty();
                Set<String> ids = new HashSet<>();
                for (ConsumerRecord<byte[], byte[]> r : after) {
                    ids.add(AvroSerde.of(Classification.class).decode(r.value()).getId());
                }
                assertThat(out).hasSize(N);
                assertThat(ids).hasSize(N);
                assertThat(kafka.readSettled(prefix + "dlq", Duration.ofSeconds(1), Duration.ofSeconds(30))).isEmpty();
            } finally {
                a.destroyForcibly();
                b.destroy();
                b.waitFor();
            }
        }
    }
}
