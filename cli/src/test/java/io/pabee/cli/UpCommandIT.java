package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pabee up} as a user runs it: a child process, fed by {@code produce}, read by
 * {@code consume --json} and joined by a {@code worker} process, each its own JVM.
 */
class UpCommandIT {
    private static final int N = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final List<Process> children = new ArrayList<>();
    private Path modelDir;
    private Path dataDir;
    private String bootstrap;
    private int controllerPort;
    private int httpPort;
    private int logs;

    @BeforeEach
    void setUp() throws Exception {
        String home = System.getProperty("pabee.home", "../models/prepared");
        modelDir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15, Path.of(home, "bge-small-en-v15"), m -> { }).path();
        dataDir = tmp.resolve("data");
        bootstrap = "127.0.0.1:" + freePort();
        controllerPort = freePort();
        httpPort = freePort();
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void shouldAnswerEveryIdExactlyOnceWhileASecondWorkerProcessJoinsAndLeaves() throws Exception {
        Child up = up();
        List<String> lines = events(0, N);
        produce(lines.subList(0, N / 2));
        Child consume = child("consume", "--json", "--from-beginning", "--bootstrap-servers", bootstrap);
        consume.await(l -> l.startsWith("{"), Duration.ofSeconds(120));

        // mid-stream: a second worker process joins the pool and takes partitions over from up's worker
        Child worker = child("worker", "--bootstrap-servers", bootstrap, "--set", "pabee.model.dir=" + modelDir,
                "--set", "pabee.worker.device=cpu", "--set", "pabee.onnx.threads=1");
        worker.await(l -> l.contains("takes partitions"), Duration.ofSeconds(120));
        up.await(l -> l.contains("gives up partitions"), Duration.ofSeconds(60));
        produce(lines.subList(N / 2, N));

        Map<String, Integer> copies = consume.ids(N, Duration.ofSeconds(240));
        // stopping the worker (SIGTERM) hands its partitions back to up's worker
        long takenBefore = up.count(l -> l.contains("takes partitions"));
        worker.process.destroy();
        assertThat(worker.process.waitFor()).as("worker exit; log %s", worker.log).isIn(0, 143);
        assertThat(worker.lines()).anyMatch(l -> l.contains("gives up partitions"));
        up.await(l -> up.count(x -> x.contains("takes partitions")) > takenBefore, Duration.ofSeconds(60));

        assertThat(copies.keySet()).as("ids answered (consume log %s)", consume.log).hasSize(N);
        assertThat(copies).as("ids answered more than once").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        stop(up);
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenUpIsStoppedMidStreamAndRestartedOnItsDataDirectory() throws Exception {
        Child first = up();
        // started first, so the stop follows the first committed result closely
        Child early = child("consume", "--json", "--from-beginning", "--bootstrap-servers", bootstrap);
        produce(events(0, N));
        early.await(l -> l.startsWith("{"), Duration.ofSeconds(120));
        stop(first); // SIGTERM mid-stream: up commits or aborts what is open, then stops
        early.process.destroyForcibly();
        early.process.waitFor();
        long answeredBeforeStop = early.count(l -> l.startsWith("{"));
        assertThat(answeredBeforeStop).as("results before the stop (the stop must leave work unfinished)").isBetween(1L, N - 1L);

        Child second = up();
        assertThat(second.lines()).anyMatch(l -> l.contains("kept from an earlier run"));
        Child consume = child("consume", "--json", "--from-beginning", "--bootstrap-servers", bootstrap);
        Map<String, Integer> copies = consume.ids(N, Duration.ofSeconds(240));
        System.out.printf("UpCommandIT: %d of %d answered before the stop, all %d after the restart%n", answeredBeforeStop, N, N);
        assertThat(copies.keySet()).as("ids answered (consume log %s)", consume.log).hasSize(N);
        assertThat(copies).as("ids answered more than once").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        stop(second);
    }

    /** Starts {@code up} (1 worker, 1 ONNX thread per model) and waits for its ready line. */
    private Child up() throws Exception {
        Child up = child("up", "--data-dir", dataDir.toString(), "--broker-address", bootstrap,
                "--controller-port", String.valueOf(controllerPort), "--http-port", String.valueOf(httpPort), "--workers", "1",
                "--set", "pabee.model.dir=" + modelDir, "--set", "pabee.worker.device=cpu", "--set", "pabee.onnx.threads=1");
        up.await(l -> l.startsWith(UpCommand.READY), Duration.ofSeconds(180));
        return up;
    }

    /** SIGTERM, as Ctrl-C: every role closes in order and the process ends. */
    private static void stop(Child up) throws Exception {
        up.process.destroy();
        up.process.waitFor();
        assertThat(up.lines()).as("up's log %s", up.log).anyMatch(l -> l.contains("up: broker stopped"));
    }

    /** {@code produce --format jsonl} in this JVM, as another terminal would run it. */
    private void produce(List<String> jsonl) throws IOException {
        Path file = Files.createTempFile(tmp, "events", ".jsonl");
        Files.write(file, jsonl);
        int rc = Pabee.commandLine().execute("produce", "--bootstrap-servers", bootstrap, "--input", file.toString(),
                "--format", "jsonl");
        assertThat(rc).isZero();
    }

    private static List<String> events(int from, int to) throws IOException {
        List<String> texts;
        try (var in = UpCommandIT.class.getClassLoader().getResourceAsStream("samples/sst2-samples.txt")) {
            texts = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank()).toList();
        }
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(JSON.writeValueAsString(Map.of("id", "up-" + i, "text", texts.get(i % texts.size()))));
        }
        return out;
    }

    private Child child(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Pabee.class.getName()));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve(args[0] + "-" + (logs++) + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return new Child(p, log);
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A child JVM and its combined stdout/stderr. */
    private record Child(Process process, Path log) {
        List<String> lines() throws IOException {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        }

        long count(Predicate<String> p) {
            try {
                return lines().stream().filter(p).count();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Waits until a line matches, failing early when the process has ended. */
        void await(Predicate<String> p, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count(p) == 0) {
                assertThat(process.isAlive()).as("%s still running; log %s", process.info().commandLine().orElse("child"), log).isTrue();
                assertThat(System.nanoTime()).as("waited %s for a line in %s", timeout, log).isLessThan(deadline);
                Thread.sleep(200); // polling a log file
            }
        }

        /**
         * Reads {@code consume --json} output until {@code expected} distinct ids appeared, then 5 s more
         * (a late duplicate would show), and counts each id's copies.
         */
        Map<String, Integer> ids(int expected, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            Map<String, Integer> copies = new TreeMap<>();
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                copies.clear();
                for (String l : lines()) {
                    if (l.startsWith("{")) {
                        copies.merge(JSON.readTree(l).get("id").asText(), 1, Integer::sum);
                    }
                }
                if (copies.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                }
                assertThat(process.isAlive()).as("consume running; log %s", log).isTrue();
                Thread.sleep(200); // polling a log file
            }
            return copies;
        }
    }
}
