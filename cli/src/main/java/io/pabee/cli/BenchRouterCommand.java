package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.bench.FreshRecords;
import io.pabee.bench.Stats;
import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.PatiencePolicy;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.tokenize.Tokens;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
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
final class BenchRouterCommand extends BenchBase implements Callable<Integer> {
    @Mixin
    PassOptions passes;

    @Option(names = "--task", defaultValue = "SST-2")
    String task;

    @Option(names = "--layers", defaultValue = "12", description = "Router layers K to measure, comma separated (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--patience", defaultValue = "4")
    int patience;

    @Option(names = "--micro-batch", defaultValue = "128", description = "Router micro-batch N (default ${DEFAULT-VALUE}).")
    int microBatch;

    @Option(names = "--order", defaultValue = "length",
            description = "Batch order (pabee.batch.order) of the router and of the in-process reference: length or arrival "
                    + "(default ${DEFAULT-VALUE}).")
    String order;

    @Option(names = "--commit-interval-ms", defaultValue = "100",
            description = "Streams commit interval, i.e. transaction length under exactly-once (default ${DEFAULT-VALUE}, Kafka's EOS default).")
    long commitInterval;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.requireCpu("the router runs its layers on CPU (workers use --device in bench worker and e2e)");
        PrintWriter out = out();
        ModelDirectory dir = model.open(t.dirName(), msg -> { });
        List<GlueExample> examples = sample.read(t, Split.DEV);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (KafkaBroker kafka = LocalBroker.embedded()) {
            for (String k : layers.split(",")) {
                int kk = Integer.parseInt(k.trim());
                List<Map<String, Object>> runs = new ArrayList<>();
                for (int i = 0; i < Math.max(1, passes.repeats); i++) {
                    String prefix = "bench-k" + kk + "-" + System.nanoTime() + "-";
                    runs.add(measure(kafka, prefix, routerConfig(prefix, dir, t, kk), examples));
                }
                // the run with the median router/in-process ratio; this shared machine is noisy
                Map<String, Object> median = Stats.medianBy(runs, r -> (Double) r.get("ratio"));
                median.put("repeats", runs.size());
                median.put("ratios", runs.stream().map(r -> r.get("ratio")).toList());
                rows.add(median);
            }
        }
        output.print(out, rows, o -> {
            o.printf("%s dev, %d records, patience %d, batch %d; records/s from the first input to the last output (after a 64-record warm-up)%n",
                    t.dirName(), examples.size(), patience, passes.batchSize);
            o.printf("%-4s %-8s %14s %14s %8s %12s %14s %8s  %s%n", "K", "order", "router rec/s", "in-proc rec/s", "ratio", "exited",
                    "continued", "padding", "all ratios");
            for (Map<String, Object> r : rows) {
                o.printf("%-4s %-8s %14.1f %14.1f %8.3f %12s %14s %8.3f  %s%n", r.get("router_layers"), r.get("batch_order"),
                        r.get("records_per_s"), r.get("inprocess_records_per_s"), r.get("ratio"), r.get("exited_at_router"),
                        r.get("continued"), r.get("padding_efficiency"), r.get("ratios"));
            }
        });
        return 0;
    }

    /** The router of one run: topics behind {@code prefix}, this task's heads, K layers, and the model options. */
    RouterConfig routerConfig(String prefix, ModelDirectory dir, GlueTask t, int k) {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, 1);
        props.put(RouterConfig.MODEL_DIR_CONFIG, dir.path().toString());
        props.put(RouterConfig.TASK_CONFIG, t.dirName());
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, k);
        props.put(RouterConfig.PATIENCE_CONFIG, patience);
        props.put(RouterConfig.STAGE_BATCH_CONFIG, passes.batchSize);
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, microBatch);
        props.put(RouterConfig.BATCH_ORDER_CONFIG, BatchOrder.parse(order).label());
        props.put(RouterConfig.THREADS_CONFIG, model.threads);
        props.put(RouterConfig.MAX_LENGTH_CONFIG, model.maxLength(dir));
        return new RouterConfig(props);
    }

    /** In-process records/s of the router's model (same records, batch size, K and patience), after a 64-record warm-up. */
    private double inProcess(OnnxLayerModel m, int k, List<GlueExample> examples) {
        EarlyExitRunner runner = new EarlyExitRunner(m, passes.batchSize, BatchOrder.parse(order));
        List<Tokens> tokens = examples.stream().map(e -> m.tokenize(e.text(), e.textPair())).toList();
        runner.runAll(FreshRecords.of(tokens.subList(0, Math.min(64, tokens.size())), i -> i, new PatiencePolicy(patience)),
                k, r -> { }, r -> { });
        List<EarlyExitRunner.Fresh> fresh = FreshRecords.of(tokens, i -> examples.get(i).id(), new PatiencePolicy(patience));
        return Stats.perSecond(examples.size(), () -> runner.runAll(fresh, k, r -> { }, r -> { }));
    }

    private Map<String, Object> measure(KafkaBroker kafka, String prefix, RouterConfig cfg, List<GlueExample> examples)
            throws Exception {
        TopicSetup.ensure(WorkerPool.client(kafka.bootstrapServers()), cfg);
        List<ProducerRecord<byte[], byte[]>> warm = TextEvents.records(cfg.inputTopic(),
                TextEvents.items("warm-", examples.subList(0, Math.min(64, examples.size()))));
        List<ProducerRecord<byte[], byte[]>> in = TextEvents.records(cfg.inputTopic(), TextEvents.items("", examples));
        Path state = Files.createTempDirectory("pabee-bench-router");
        Properties overrides = new Properties();
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        overrides.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval);
        int[] counts = new int[2];
        double seconds;
        double inproc;
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        // the in-process reference and the streaming router run the same model instance
        try (OnnxLayerModel m = RouterModel.load(cfg)) {
            inproc = inProcess(m, cfg.getInt(RouterConfig.ROUTER_LAYERS_CONFIG), examples);
            try (KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, m, metrics),
                    RouterTopology.streamsConfig(kafka.bootstrapServers(), prefix + "app", overrides));
                 KafkaConsumer<byte[], byte[]> outputs = new KafkaConsumer<>(kafka.consumerConfig(prefix + "counter"))) {
                outputs.subscribe(List.of(cfg.resultsTopic(), cfg.continuationsTopic()));
                streams.start();
                // warm-up: group join, first transactions; not timed
                kafka.produce(cfg.inputTopic(), warm);
                Outputs.await(outputs, warm.size(), r -> { });
                long t0 = System.nanoTime();
                kafka.produce(cfg.inputTopic(), in);
                Outputs.await(outputs, in.size(), r -> counts[r.topic().equals(cfg.resultsTopic()) ? 0 : 1]++);
                seconds = (System.nanoTime() - t0) / 1e9;
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "router");
        row.put("task", cfg.getString(RouterConfig.TASK_CONFIG));
        row.put("router_layers", cfg.getInt(RouterConfig.ROUTER_LAYERS_CONFIG));
        row.put("patience", patience);
        row.put("records", examples.size());
        row.put("commit_interval_ms", commitInterval);
        row.put("micro_batch", microBatch);
        row.put("batch_order", cfg.getString(RouterConfig.BATCH_ORDER_CONFIG));
        // real / computed tokens of the router's encoder layers, warm-up included
        row.put("padding_efficiency", metrics.get("pabee_router_padding_efficiency").gauge().value());
        row.put("records_per_s", examples.size() / seconds);
        row.put("inprocess_records_per_s", inproc);
        row.put("ratio", examples.size() / seconds / inproc);
        row.put("exited_at_router", counts[0]);
        row.put("continued", counts[1]);
        return row;
    }
}
