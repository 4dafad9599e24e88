package io.pabee.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.broker.KafkaBroker;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.stage.OnnxLayerModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench router-memory}: the resident memory of a router process at several input
 * partition counts, and how long a second router instance takes to join (a rebalance with task
 * migration). The broker runs in this process; each partition count gets a fresh router process
 * (this command again, with {@code --child}), so its RSS holds the router alone: the JVM, the one
 * shared model and the stream tasks.
 */
@Command(name = "router-memory", mixinStandardHelpOptions = true,
        header = "Router RSS at several input partition counts, and the time of a rebalance when a second instance joins.")
final class BenchRouterMemoryCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--partitions", defaultValue = "1,4,16", split = ",",
            description = "Input partition counts, one router process each (default ${DEFAULT-VALUE}).")
    List<Integer> partitions;

    @Option(names = "--events-per-partition", defaultValue = "32",
            description = "Events written to every input partition before RSS is read, so every task has run (default ${DEFAULT-VALUE}).")
    int eventsPerPartition;

    @Option(names = "--child-heap", defaultValue = "1g", description = "-Xmx of each router process (default ${DEFAULT-VALUE}).")
    String childHeap;

    @Mixin
    ReportOptions output;

    @Option(names = "--child", hidden = true, description = "Run as the measured router process against this bootstrap server.")
    String childBootstrap;

    @Override
    public Integer call() throws Exception {
        model.requireCpu("the router runs its layers on CPU");
        if (childBootstrap != null) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(JSON.writeValueAsString(measureHere(childBootstrap, partitions.get(0))));
            out.flush();
            return 0;
        }
        model.open(io.pabee.config.CommonConfigs.DEFAULT_TASK, msg -> { }); // prepared once, before any child starts
        List<Map<String, Object>> rows = new ArrayList<>();
        try (EmbeddedBroker kafka = LocalBroker.embedded()) {
            for (int p : partitions) {
                rows.add(inChildProcess(kafka, p));
            }
        }
        output.print(spec.commandLine().getOut(), rows, out -> {
            double base = ((Number) rows.get(0).get("rss_mb")).doubleValue();
            out.printf("router process RSS (MB) after every input partition ran %d events; -Xmx%s; one model per process%n",
                    eventsPerPartition, childHeap);
            out.printf("%-11s %8s %8s %10s %10s %13s %15s %12s%n", "partitions", "rss_mb", "x_first", "model_mb", "peak_mb",
                    "rebalance_ms", "rss_2_inst_mb", "leave_ms");
            for (Map<String, Object> r : rows) {
                out.printf("%-11s %8.0f %8.2f %10.0f %10.0f %13s %15.0f %12s%n", r.get("partitions"), r.get("rss_mb"),
                        ((Number) r.get("rss_mb")).doubleValue() / base, r.get("model_rss_mb"), r.get("peak_rss_mb"),
                        r.get("join_rebalance_ms"), r.get("rss_two_instances_mb"), r.get("leave_rebalance_ms"));
            }
        });
        return 0;
    }

    /** Runs this command as a separate router process for {@code p} partitions and returns its row. */
    private Map<String, Object> inChildProcess(KafkaBroker kafka, int p) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + childHeap);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-D") || arg.startsWith("-XX:")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Pabee.class.getName(), "bench", "router-memory",
                "--child", kafka.bootstrapServers(), "--partitions", Integer.toString(p),
                "--events-per-partition", Integer.toString(eventsPerPartition), "--model-dir", model.dir(io.pabee.config.CommonConfigs.DEFAULT_TASK).toString(),
                "--threads", Integer.toString(model.threads)));
        if (model.maxLength != null) {
            cmd.addAll(List.of("--max-length", model.maxLength.toString()));
        }
        Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int rc = child.waitFor();
        if (rc != 0 || last == null) {
            throw new IllegalStateException("router process for " + p + " partitions failed (exit " + rc + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> row = JSON.readValue(last, LinkedHashMap.class);
        return row;
    }

    /** The measured router process: one model, one streams instance, then a second instance joins and leaves. */
    private Map<String, Object> measureHere(String bootstrap, int p) throws Exception {
        String prefix = "mem-p" + p + "-" + System.nanoTime() + "-";
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, p);
        props.put(RouterConfig.MODEL_DIR_CONFIG, model.dir(io.pabee.config.CommonConfigs.DEFAULT_TASK).toString());
        props.put(RouterConfig.THREADS_CONFIG, model.threads);
        if (model.maxLength != null) {
            props.put(RouterConfig.MAX_LENGTH_CONFIG, model.maxLength);
        }
        RouterConfig cfg = new RouterConfig(props);
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        TopicSetup.ensure(client, cfg);
        KafkaBroker kafka = new KafkaBroker() { // the parent's broker, reached through the client helpers
            @Override
            public String bootstrapServers() {
                return bootstrap;
            }

            @Override
            public void close() {
            }
        };
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partitions", p);
        double before = rssMb("VmRSS");
        try (OnnxLayerModel shared = RouterModel.load(cfg);
             KafkaConsumer<byte[], byte[]> outputs = new KafkaConsumer<>(kafka.consumerConfig(prefix + "counter"))) {
            row.put("model_rss_mb", rssMb("VmRSS") - before);
            outputs.subscribe(List.of(cfg.resultsTopic(), cfg.continuationsTopic()));
            long[] answered = {0};
            KafkaStreams a = instance(bootstrap, prefix, cfg, shared, "a");
            a.start();
            kafka.produce(cfg.inputTopic(), events(cfg, p, "first-"));
            awaitAnswers(outputs, answered, (long) p * eventsPerPartition);
            row.put("rss_mb", settledRssMb());
            // a second instance of the same application joins: tasks move to it (restoring their buffers)
            try (KafkaStreams b = instance(bootstrap, prefix, cfg, shared, "b")) {
                long t0 = System.nanoTime();
                b.start();
                await(() -> a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING
                        && (p == 1 || activeTasks(b) > 0), Duration.ofMinutes(3));
                row.put("join_rebalance_ms", (System.nanoTime() - t0) / 1_000_000);
                row.put("tasks_a_b", activeTasks(a) + "/" + activeTasks(b));
                kafka.produce(cfg.inputTopic(), events(cfg, p, "second-"));
                awaitAnswers(outputs, answered, 2L * p * eventsPerPartition);
                row.put("rss_two_instances_mb", settledRssMb());
                long t1 = System.nanoTime();
                // leave the group on close: Streams' default close does not, and its tasks then wait out
                // session.timeout.ms (45 s) before they move back
                b.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(60)));
                await(() -> a.state() == KafkaStreams.State.RUNNING && activeTasks(a) == p, Duration.ofMinutes(3));
                row.put("leave_rebalance_ms", (System.nanoTime() - t1) / 1_000_000);
            }
            a.close(Duration.ofSeconds(60));
        }
        row.put("peak_rss_mb", rssMb("VmHWM"));
        return row;
    }

    private static KafkaStreams instance(String bootstrap, String prefix, RouterConfig cfg, OnnxLayerModel shared,
                                         String name) throws IOException {
        Properties o = new Properties();
        o.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("pabee-mem-" + name).toString());
        o.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        o.put(StreamsConfig.CLIENT_ID_CONFIG, prefix + name);
        return new KafkaStreams(RouterTopology.build(cfg, shared, new SimpleMeterRegistry()),
                RouterTopology.streamsConfig(bootstrap, prefix + "app", o));
    }

    private static int activeTasks(KafkaStreams s) {
        return s.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /** {@code eventsPerPartition} events on every input partition, so every task runs. */
    private List<ProducerRecord<byte[], byte[]>> events(RouterConfig cfg, int p, String idPrefix) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int part = 0; part < p; part++) {
            for (int i = 0; i < eventsPerPartition; i++) {
                String text = (i % 2 == 0 ? "a warm , funny and moving film , number " : "a dull and tedious mess , number ") + i;
                out.add(TextEvents.record(cfg.inputTopic(), part, new TextEvents.Item(idPrefix + part + "-" + i, text, null, -1), now));
            }
        }
        return out;
    }

    private static void awaitAnswers(KafkaConsumer<byte[], byte[]> c, long[] answered, long total) {
        answered[0] += Outputs.await(c, (int) (total - answered[0]), r -> { });
        if (answered[0] < total) {
            throw new IllegalStateException("only " + answered[0] + " of " + total + " events answered in time");
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** RSS after a full GC and a short pause, so the heap's garbage does not count. */
    private static double settledRssMb() throws Exception {
        System.gc();
        Thread.sleep(500);
        return rssMb("VmRSS");
    }

    /** A memory line of /proc/self/status (VmRSS now, VmHWM peak) in MB. */
    static double rssMb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
