package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.bench.FreshRecords;
import io.pabee.bench.Stats;
import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import io.pabee.worker.Continuations;
import io.pabee.worker.WorkerConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench worker}: records/s of the worker pool through an embedded broker vs batch size and
 * number of workers, next to the in-process runner resuming the same continuations.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        header = "Worker pool throughput vs batch size and workers, next to the in-process staged encoder.")
final class BenchWorkerCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--router-layers", defaultValue = "4", description = "K: layers already run by the router (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--patience", defaultValue = "4")
    int patience;

    @Option(names = "--batch-sizes", defaultValue = "1,8,32")
    String batchSizes;

    @Option(names = "--workers", defaultValue = "1,2", description = "Worker counts, measured at the largest batch size.")
    String workerCounts;

    @Override
    public Integer call() throws Exception {
        model.validate();
        PrintWriter out = out();
        ModelDirectory dir = ModelDirectory.open(model.dir());
        HeadSet heads = HeadSet.read(dir.heads("SST-2"));
        List<GlueExample> dev = sample.read(GlueTask.SST_2, Split.DEV, 400);
        List<InFlight> states = new ArrayList<>();
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), model.maxLength(dir));
             StagedEncoder enc = new StagedEncoder(dir, model.encoder().on(ExecutionDevice.CPU))) {
            List<Tokens> tokens = dev.stream().map(e -> tok.encode(e.text(), null)).toList();
            new EarlyExitRunner(enc, heads::apply, 32).runAll(FreshRecords.of(tokens, i -> dev.get(i).id(), new PatiencePolicy(patience)),
                    k, r -> { }, states::add);
        }
        int[] bs = Arrays.stream(batchSizes.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int[] ws = Arrays.stream(workerCounts.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int maxB = Arrays.stream(bs).max().orElse(32);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (KafkaBroker kafka = LocalBroker.embedded()) {
            for (int b : bs) {
                rows.add(measure(kafka, dir, heads, states, b, 1));
            }
            for (int w : ws) {
                if (w != 1) {
                    rows.add(measure(kafka, dir, heads, states, maxB, w));
                }
            }
        }
        output.print(out, rows, o -> {
            o.printf("%d continuations (SST-2 dev after K = %d, patience %d), %s; records/s from first input to last result%n",
                    states.size(), k, patience, model.device);
            o.printf("%-8s %-8s %14s %16s %8s%n", "batch", "workers", "pool rec/s", "in-process rec/s", "ratio");
            for (Map<String, Object> r : rows) {
                o.printf("%-8s %-8s %14.1f %16.1f %8.3f%n", r.get("batch_size"), r.get("workers"), r.get("records_per_s"),
                        r.get("inprocess_records_per_s"), r.get("ratio"));
            }
        });
        return 0;
    }

    private static List<InFlight> copies(List<InFlight> states) {
        List<InFlight> out = new ArrayList<>();
        for (InFlight r : states) {
            InFlight c = new InFlight(r.key, r.length, r.hidden.clone(), r.layersDone, r.policy,
                    ExitState.resume(r.state.layersSeen, r.state.counter, r.state.previousLabel, r.state.previousScore));
            out.add(c);
        }
        return out;
    }

    /** In-process records/s of resuming the same continuations on the pool's device, at the same batch size. */
    private double inProcess(ModelDirectory dir, HeadSet heads, List<InFlight> states, int batch) {
        try (StagedEncoder enc = new StagedEncoder(dir, model.encoder().layers(1, Integer.MAX_VALUE))) {
            EarlyExitRunner runner = new EarlyExitRunner(enc, heads::apply, batch);
            runner.run(Collections.emptyIterator(), copies(states.subList(0, Math.min(32, states.size()))),
                    enc.numLayers(), r -> { }, r -> { });
            return Stats.perSecond(states.size(),
                    () -> runner.run(Collections.emptyIterator(), copies(states), enc.numLayers(), r -> { }, r -> { }));
        }
    }

    private Map<String, Object> measure(KafkaBroker kafka, ModelDirectory dir, HeadSet heads, List<InFlight> states,
                                        int batch, int workers) throws Exception {
        double inproc = inProcess(dir, heads, states, batch);
        String prefix = "benchw-b" + batch + "-w" + workers + "-" + System.nanoTime() + "-";
        kafka.createTopic(prefix + "continuations", 4, Map.of());
        kafka.createTopic(prefix + "results", 2, Map.of());
        kafka.createTopic(prefix + "dlq", 1, Map.of());
        Map<String, Object> p = new HashMap<>();
        p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
        p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
        p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
        p.put(WorkerConfig.GROUP_CONFIG, prefix + "group");
        p.put(WorkerConfig.MODEL_DIR_CONFIG, dir.path().toString());
        p.put(WorkerConfig.DEVICE_CONFIG, model.device);
        p.put(WorkerConfig.THREADS_CONFIG, model.threads);
        p.put(WorkerConfig.STAGE_BATCH_CONFIG, batch);
        WorkerConfig cfg = new WorkerConfig(p);
        String version = dir.version("SST-2");
        List<ProducerRecord<byte[], byte[]>> warm = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (InFlight r : states) {
            String id = (String) r.key;
            LayerState s = Continuations.of(id, r, System.currentTimeMillis(), null, dir.manifest().base, version, "SST-2",
                    dir.hidden(), true, k);
            byte[] v = AvroSerde.of(LayerState.class).encode(s);
            in.add(new ProducerRecord<>(prefix + "continuations", id.getBytes(StandardCharsets.UTF_8), v));
            if (warm.size() < 32) {
                warm.add(new ProducerRecord<>(prefix + "continuations", ("warm-" + id).getBytes(StandardCharsets.UTF_8), v));
            }
        }
        double seconds;
        try (WorkerPool pool = new WorkerPool(cfg, WorkerPool.client(kafka.bootstrapServers()), prefix, workers,
                new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> results = new KafkaConsumer<>(kafka.consumerConfig(prefix + "count"))) {
            results.subscribe(List.of(prefix + "results"));
            pool.start();
            kafka.produce(prefix + "continuations", warm);
            Outputs.await(results, warm.size(), r -> { });
            long t0 = System.nanoTime();
            kafka.produce(prefix + "continuations", in);
            Outputs.await(results, in.size(), r -> { });
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "worker");
        row.put("batch_size", batch);
        row.put("workers", workers);
        row.put("records", states.size());
        row.put("records_per_s", states.size() / seconds);
        row.put("inprocess_records_per_s", inproc);
        row.put("ratio", states.size() / seconds / inproc);
        row.put("device", model.device);
        return row;
    }
}
