package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.analytics.AnalyticsTopology;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.ModelPreparer;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.ModelDirectory;
import io.pabee.testkit.EmbeddedKafka;
import io.pabee.worker.Worker;
import io.pabee.worker.WorkerConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee demo}: everything on one machine — an embedded Kafka broker (KRaft), the router, a
 * worker pool and the analytics — streams texts through it, prints labeled results as they arrive,
 * then a summary, and shuts everything down.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Run broker, router, workers and analytics locally and stream texts through them.")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--input", description = "Text file, one text per line ('-' = stdin). Default: the shipped samples.")
    String input;

    @Option(names = "--glue-dir", description = "Stream a GLUE split instead (labels known: accuracy is reported).")
    Path glueDir;

    @Option(names = "--task", defaultValue = "SST-2", description = "Task of the heads (and of --glue-dir data). Default ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--split", defaultValue = "dev")
    String split;

    @Option(names = "--limit", description = "At most this many texts.")
    Integer limit;

    @Option(names = "--router-layers", defaultValue = "6", description = "K (default ${DEFAULT-VALUE}).")
    int routerLayers;

    @Option(names = "--patience", defaultValue = "4", description = "PABEE patience (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--workers", defaultValue = "1", description = "Workers in the pool (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--hidden-encoding", defaultValue = "fp16", description = "fp16 (default) or fp32 continuations.")
    String hiddenEncoding;

    @Option(names = "--quiet", description = "Do not print every result, only the summary.")
    boolean quiet;

    private record Item(String id, String text, String pair, int label) {
    }

    @Override
    public Integer call() throws Exception {
        model.validate();
        GlueTask t = GlueTask.parse(task);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelDirectory dir = ModelPreparer.ensurePrepared(model.baseModel(), model.dir(), m -> err.println("prepare: " + m));
        List<Item> items = items(t);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no texts to classify");
        }
        Map<String, Object> props = new HashMap<>();
        props.put(RouterConfig.MODEL_DIR_CONFIG, dir.path().toString());
        props.put(RouterConfig.TASK_CONFIG, t.dirName());
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, routerLayers);
        props.put(RouterConfig.PATIENCE_CONFIG, patience);
        props.put(RouterConfig.PARTITIONS_CONFIG, 2);
        props.put(RouterConfig.HIDDEN_ENCODING_CONFIG, hiddenEncoding);
        props.put(RouterConfig.WINDOW_CONFIG, 2000L);
        RouterConfig cfg = new RouterConfig(props);
        Path state = Files.createTempDirectory("pabee-demo");
        long started = System.nanoTime();
        err.println("demo: starting an embedded Kafka broker (KRaft)...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(admin, cfg);
            io.pabee.serde.SchemaPublisher.publish(admin, cfg.schemasTopic());
            Properties so = new Properties();
            so.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("router").toString());
            so.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            Properties ao = new Properties();
            ao.putAll(so);
            ao.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("analytics").toString());
            ao.put(StreamsConfig.APPLICATION_ID_CONFIG, "pabee-demo-analytics");
            ao.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            ao.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            Map<String, Object> wp = new HashMap<>();
            wp.put(WorkerConfig.MODEL_DIR_CONFIG, dir.path().toString());
            wp.put(WorkerConfig.TASK_CONFIG, t.dirName());
            wp.put(WorkerConfig.DEVICE_CONFIG, model.device);
            WorkerConfig wcfg = new WorkerConfig(wp);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            List<Worker> pool = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Worker w = new Worker(wcfg, client, "demo-" + i, metrics);
                pool.add(w);
                threads.add(new Thread(w, "pabee-worker-" + i));
            }
            Map<String, Classification> results = new LinkedHashMap<>();
            Map<String, DeadLetter> dead = new LinkedHashMap<>();
            long t0;
            long t1;
            try (KafkaStreams router = new KafkaStreams(RouterTopology.build(cfg, () -> new RouterModel(cfg), metrics),
                    RouterTopology.streamsConfig(kafka.bootstrapServers(), "pabee-demo-router", so));
                 KafkaStreams analytics = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), ao);
                 KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerConfig("pabee-demo-console"))) {
                consumer.subscribe(List.of(cfg.resultsTopic(), cfg.deadLetterTopic()));
                router.start();
                analytics.start();
                threads.forEach(Thread::start);
                err.printf("demo: router (layers 1..%d on CPU), %d worker(s), analytics running; streaming %d texts%n",
                        routerLayers, workers, items.size());
                t0 = System.nanoTime();
                List<ProducerRecord<byte[], byte[]>> recs = new ArrayList<>();
                long now = System.currentTimeMillis();
                for (Item it : items) {
                    TextEvent e = TextEvent.newBuilder().setId(it.id()).setText(it.text()).setTextPair(it.pair())
                            .setEventTime(now).setPatience(null).setMetadata(null).build();
                    recs.add(new ProducerRecord<>(cfg.inputTopic(), it.id().getBytes(StandardCharsets.UTF_8),
                            AvroSerde.of(TextEvent.class).encode(e)));
                }
                kafka.produce(cfg.inputTopic(), recs);
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                Map<String, Item> byId = new HashMap<>();
                items.forEach(i -> byId.put(i.id(), i));
                int lastSummary = 0;
                while (results.size() + dead.size() < items.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(cfg.resultsTopic())) {
                            Classification c = AvroSerde.of(Classification.class).decode(r.value());
                            results.put(c.getId(), c);
                            if (!quiet) {
                                Item it = byId.get(c.getId());
                                out.printf("%-12s %-9s p=%.2f exit layer %2d at %-6s %s%n", c.getId(),
                                        c.getLabel() != null ? c.getLabel() : String.format("%.2f", c.getScore()),
                                        c.getProbabilities().isEmpty() ? 0f : c.getProbabilities().get(Math.max(0, c.getLabelIndex())),
                                        c.getExitLayer(), c.getExitedAt().name().toLowerCase(), abbreviate(it == null ? "" : it.text()));
                            }
                        } else {
                            DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
                            dead.put(d.getId() != null ? d.getId() : "dlq-" + dead.size(), d);
                            if (!quiet) {
                                out.printf("%-12s REJECTED  %s: %s%n", d.getId(), d.getReason(), d.getDetail());
                            }
                        }
                    }
                    if (results.size() - lastSummary >= Math.max(50, items.size() / 10)) {
                        lastSummary = results.size();
                        err.printf("demo: %d/%d answered; exits by layer %s%n", results.size(), items.size(),
                                Arrays.toString(histogram(results, dir.numLayers())));
                    }
                    out.flush();
                }
                t1 = System.nanoTime();
                pool.forEach(Worker::close);
                for (Thread th : threads) {
                    th.join(30_000);
                }
            }
            printSummary(out, t, items, results, dead, dir.numLayers(), (t1 - t0) / 1e9);
            err.printf("demo: done in %.1f s; everything shut down%n", (System.nanoTime() - started) / 1e9);
            return results.size() + dead.size() == items.size() ? 0 : 1;
        }
    }

    private List<Item> items(GlueTask t) throws Exception {
        List<Item> out = new ArrayList<>();
        if (glueDir != null) {
            for (GlueExample e : GlueReader.read(glueDir, t, Split.parse(split))) {
                out.add(new Item(e.id(), e.text(), e.textPair(), e.label()));
            }
        } else {
            InputStream in = input == null ? getClass().getClassLoader().getResourceAsStream("samples/sst2-samples.txt")
                    : input.equals("-") ? System.in : Files.newInputStream(Path.of(input));
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        out.add(new Item("text-" + (n++), line.strip(), null, -1));
                    }
                }
            }
        }
        return limit != null && limit < out.size() ? out.subList(0, limit) : out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }

    static long[] histogram(Map<String, Classification> results, int layers) {
        long[] h = new long[layers];
        for (Classification c : results.values()) {
            h[c.getExitLayer() - 1]++;
        }
        return h;
    }

    private static void printSummary(PrintWriter out, GlueTask t, List<Item> items, Map<String, Classification> results,
                                     Map<String, DeadLetter> dead, int layers, double seconds) {
        long[] h = histogram(results, layers);
        double mean = results.values().stream().mapToInt(Classification::getExitLayer).average().orElse(0);
        long[] lat = results.values().stream().mapToLong(Classification::getLatencyMs).sorted().toArray();
        long router = results.values().stream().filter(c -> c.getExitedAt().name().equals("ROUTER")).count();
        out.println();
        out.println("summary");
        out.printf("  records           %d (%d results, %d dead letters)%n", items.size(), results.size(), dead.size());
        int labeled = 0;
        int correct = 0;
        for (Item it : items) {
            Classification c = results.get(it.id());
            if (it.label() >= 0 && c != null) {
                labeled++;
                if (c.getLabelIndex() == it.label()) {
                    correct++;
                }
            }
        }
        if (labeled > 0) {
            out.printf("  accuracy          %.4f (%d of %d labeled)%n", (double) correct / labeled, correct, labeled);
        }
        out.printf("  mean exit layer   %.2f of %d; speed-up (L / mean exit layer) %.2fx%n", mean, layers, mean == 0 ? 0 : layers / mean);
        out.printf("  exited at router  %d, at workers %d%n", router, results.size() - router);
        out.printf("  records/s         %.1f (first input to last result, %.1f s)%n", results.size() / seconds, seconds);
        out.printf("  latency           p50 %d ms, p99 %d ms (event time to exit)%n", pct(lat, 0.50), pct(lat, 0.99));
        out.println("  exit histogram");
        long max = Arrays.stream(h).max().orElse(1);
        for (int l = 0; l < h.length; l++) {
            out.printf("    layer %2d %5d %s%n", l + 1, h[l], "#".repeat((int) Math.round(40.0 * h[l] / Math.max(1, max))));
        }
        out.flush();
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }
}
