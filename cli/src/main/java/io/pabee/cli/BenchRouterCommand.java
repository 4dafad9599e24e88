package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.tokenize.Tokens;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code pabee bench router}: records/s through a real (embedded) broker and the router, per K,
 * next to the in-process runner on the same records with the same batch size and patience.
 */
@Command(name = "router", mixinStandardHelpOptions = true,
        header = "Router throughput through an embedded broker vs the in-process staged encoder, for several K.")
final class BenchRouterCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--task", defaultValue = "SST-2")
    String task;

    @Mixin
    GlueOptions glue;

    @Option(names = "--limit", description = "Records (default: all of the dev split).")
    Integer limit;

    @Option(names = "--layers", defaultValue = "12", description = "Router layers K to measure, comma separated (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--patience", defaultValue = "4")
    int patience;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--micro-batch", defaultValue = "128", description = "Router micro-batch N (default ${DEFAULT-VALUE}).")
    int microBatch;

    @Option(names = "--commit-interval-ms", defaultValue = "100",
            description = "Streams commit interval, i.e. transaction length under exactly-once (default ${DEFAULT-VALUE}, Kafka's EOS default).")
    long commitInterval;

    @Option(names = "--repeats", defaultValue = "3", description = "Runs per K; the median ratio's run is reported (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--json")
    boolean json;

    @Option(names = "--report", description = "Also write the rows as JSON lines to this file.")
    Path report;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.validate();
        PrintWriter out = spec.commandLine().getOut();
        ModelDirectory dir = ModelDirectory.open(model.dir());
        List<GlueExample> examples = GlueReader.read(glue.dir(), t, Split.DEV);
        if (limit != null) {
            examples = examples.subList(0, Math.min(limit, examples.size()));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (KafkaBroker kafka = LocalBroker.embedded()) {
            for (String k : layers.split(",")) {
                int kk = Integer.parseInt(k.trim());
                List<Map<String, Object>> runs = new ArrayList<>();
                for (int i = 0; i < Math.max(1, repeats); i++) {
                    runs.add(measure(kafka, dir, examples, kk));
                }
                // the run with the median router/in-process ratio; this shared machine is noisy
                runs.sort(java.util.Comparator.comparingDouble(r -> (Double) r.get("ratio")));
                Map<String, Object> median = runs.get(runs.size() / 2);
                median.put("repeats", runs.size());
                median.put("ratios", runs.stream().map(r -> r.get("ratio")).toList());
                rows.add(median);
            }
        }
        String lines = JsonLines.write(rows, report);
        if (json) {
            out.print(lines);
        } else {
            out.printf("%s dev, %d records, patience %d, batch %d; records/s from the first input to the last output (after a 64-record warm-up)%n",
                    t.dirName(), examples.size(), patience, batchSize);
            out.printf("%-4s %14s %14s %8s %12s %14s  %s%n", "K", "router rec/s", "in-proc rec/s", "ratio", "exited",
                    "continued", "all ratios");
            for (Map<String, Object> r : rows) {
                out.printf("%-4s %14.1f %14.1f %8.3f %12s %14s  %s%n", r.get("router_layers"), r.get("records_per_s"),
                        r.get("inprocess_records_per_s"), r.get("ratio"), r.get("exited_at_router"), r.get("continued"),
                        r.get("ratios"));
            }
        }
        out.flush();
        return 0;
    }

    private static List<ProducerRecord<byte[], byte[]>> records(RouterConfig cfg, List<GlueExample> examples, String idPrefix) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (GlueExample e : examples) {
            TextEvent ev = TextEvent.newBuilder().setId(idPrefix + e.id()).setText(e.text()).setTextPair(e.textPair())
                    .setPatience(null).setEventTime(now).setMetadata(null).build();
            out.add(new ProducerRecord<>(cfg.inputTopic(), ev.getId().getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(TextEvent.class).encode(ev)));
        }
        return out;
    }

    /** Polls one read_committed consumer on both outputs until {@code expected} more records arrived (10 min at most). */
    private static void await(KafkaConsumer<byte[], byte[]> c, RouterConfig cfg, int[] counts, int expected) {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (counts[0] + counts[1] < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                counts[r.topic().equals(cfg.resultsTopic()) ? 0 : 1]++;
            }
        }
    }

    private Map<String, Object> measure(KafkaBroker kafka, ModelDirectory dir, List<GlueExample> examples, int k)
            throws Exception {
        String prefix = "bench-k" + k + "-" + System.nanoTime() + "-";
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, 1);
        props.put(RouterConfig.MODEL_DIR_CONFIG, dir.path().toString());
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, k);
        props.put(RouterConfig.PATIENCE_CONFIG, patience);
        props.put(RouterConfig.STAGE_BATCH_CONFIG, batchSize);
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, microBatch);
        RouterConfig cfg = new RouterConfig(props);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);

        // in-process reference on the same records, same batch size, same K, same model instance as the router
        double inproc;
        double[] streamed;
        try (OnnxLayerModel m = RouterModel.load(cfg)) {
            EarlyExitRunner runner = new EarlyExitRunner(m, batchSize);
            List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
            for (GlueExample e : examples) {
                Tokens tk = m.tokenize(e.text(), e.textPair());
                fresh.add(new EarlyExitRunner.Fresh(tk, new InFlight(e.id(), tk.length(), null, 0, new PatiencePolicy(patience),
                        new ExitState())));
            }
            runner.runAll(fresh.subList(0, Math.min(64, fresh.size())), k, r -> { }, r -> { }); // warm-up
            List<EarlyExitRunner.Fresh> again = new ArrayList<>();
            for (EarlyExitRunner.Fresh f : fresh) {
                again.add(new EarlyExitRunner.Fresh(f.tokens(), new InFlight(f.record().key, f.tokens().length(), null, 0,
                        new PatiencePolicy(patience), new ExitState())));
            }
            long t0 = System.nanoTime();
            runner.runAll(again, k, r -> { }, r -> { });
            inproc = examples.size() / ((System.nanoTime() - t0) / 1e9);
            streamed = streamed(kafka, cfg, examples, prefix, m);
        }

        double seconds = streamed[0];
        int exited = (int) streamed[1];
        int continued = (int) streamed[2];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "router");
        row.put("router_layers", k);
        row.put("patience", patience);
        row.put("records", examples.size());
        row.put("commit_interval_ms", commitInterval);
        row.put("micro_batch", microBatch);
        row.put("records_per_s", examples.size() / seconds);
        row.put("inprocess_records_per_s", inproc);
        row.put("ratio", examples.size() / seconds / inproc);
        row.put("exited_at_router", exited);
        row.put("continued", continued);
        return row;
    }

    /** Seconds for the streaming router to answer {@code examples}, and how many exited and continued. */
    private double[] streamed(KafkaBroker kafka, RouterConfig cfg, List<GlueExample> examples, String prefix,
                              OnnxLayerModel model) throws Exception {
        List<ProducerRecord<byte[], byte[]>> warm = records(cfg, examples.subList(0, Math.min(64, examples.size())), "warm-");
        List<ProducerRecord<byte[], byte[]>> in = records(cfg, examples, "");
        Path state = Files.createTempDirectory("pabee-bench-router");
        Properties overrides = new Properties();
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        overrides.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval);
        Map<String, Object> cc = new HashMap<>(kafka.consumerConfig(prefix + "counter"));
        int[] counts = new int[2];
        double seconds;
        try (KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, model, new SimpleMeterRegistry()),
                RouterTopology.streamsConfig(kafka.bootstrapServers(), prefix + "app", overrides));
             KafkaConsumer<byte[], byte[]> outputs = new KafkaConsumer<>(cc)) {
            outputs.subscribe(List.of(cfg.resultsTopic(), cfg.continuationsTopic()));
            streams.start();
            // warm-up: group join, first transactions; not timed
            kafka.produce(cfg.inputTopic(), warm);
            await(outputs, cfg, counts, warm.size());
            counts[0] = 0;
            counts[1] = 0;
            long t0 = System.nanoTime();
            kafka.produce(cfg.inputTopic(), in);
            await(outputs, cfg, counts, in.size());
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        return new double[] {seconds, counts[0], counts[1]};
    }
}
