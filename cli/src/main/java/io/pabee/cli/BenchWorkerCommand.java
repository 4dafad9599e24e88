package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.bench.FreshRecords;
import io.pabee.bench.Stats;
import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
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
        ModelDirectory dir = model.open(GlueTask.SST_2.dirName(), msg -> { });
        int maxLength = model.maxLength(dir);
        List<GlueExample> dev = sample.read(GlueTask.SST_2, Split.DEV, 400);
        List<LayerState> states = new ArrayList<>();
        // play the router: layers 1..K in process on CPU, and the continuations it would write
        try (OnnxLayerModel m = OnnxLayerModel.load(dir, "SST-2", model.encoder().on(ExecutionDevice.CPU).layers(0, k), maxLength)) {
            List<Tokens> tokens = dev.stream().map(e -> m.tokenize(e.text(), null)).toList();
            ContinuationCodec codec = new ContinuationCodec(m, true, k);
            new EarlyExitRunner(m, 32).runAll(FreshRecords.of(tokens, i -> dev.get(i).id(), new PatiencePolicy(patience)), k,
                    r -> { }, r -> states.add(codec.build((String) r.key, r, System.currentTimeMillis(), null, System.currentTimeMillis())));
        }
        int[] bs = Arrays.stream(batchSizes.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int[] ws = Arrays.stream(workerCounts.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int maxB = Arrays.stream(bs).max().orElse(32);
        List<Map<String, Object>> rows = new ArrayList<>();
        // one worker model for the in-process reference and every pool, as a worker process has
        try (KafkaBroker kafka = LocalBroker.embedded();
             OnnxLayerModel workerModel = OnnxLayerModel.load(dir, "SST-2", model.encoder().layers(1, Integer.MAX_VALUE), maxLength)) {
            for (int b : bs) {
                rows.add(measure(kafka, workerModel, states, b, 1));
            }
            for (int w : ws) {
                if (w != 1) {
                    rows.add(measure(kafka, workerModel, states, maxB, w));
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

    /** The continuations resumed as a worker resumes them (fresh arrays each time: a run overwrites them). */
    private static List<InFlight> resumed(OnnxLayerModel m, List<LayerState> states) {
        ContinuationCodec codec = ContinuationCodec.reader(m);
        List<InFlight> out = new ArrayList<>();
        for (LayerState s : states) {
            out.add(codec.read(s, s.getId()));
        }
        return out;
    }

    /** In-process records/s of resuming the same continuations with the pool's model, at the same batch size. */
    private static double inProcess(OnnxLayerModel m, List<LayerState> states, int batch) {
        EarlyExitRunner runner = new EarlyExitRunner(m, batch);
        runner.run(Collections.emptyIterator(), resumed(m, states.subList(0, Math.min(32, states.size()))),
                m.numLayers(), r -> { }, r -> { });
        List<InFlight> all = resumed(m, states);
        return Stats.perSecond(states.size(), () -> runner.run(Collections.emptyIterator(), all, m.numLayers(), r -> { }, r -> { }));
    }

    private Map<String, Object> measure(KafkaBroker kafka, OnnxLayerModel m, List<LayerState> states,
                                        int batch, int workers) throws Exception {
        double inproc = inProcess(m, states, batch);
        String prefix = "benchw-b" + batch + "-w" + workers + "-" + System.nanoTime() + "-";
        kafka.createTopic(prefix + "continuations", 4, Map.of());
        kafka.createTopic(prefix + "results", 2, Map.of());
        kafka.createTopic(prefix + "dlq", 1, Map.of());
        Map<String, Object> p = new HashMap<>();
        p.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, prefix + "continuations");
        p.put(WorkerConfig.RESULTS_TOPIC_CONFIG, prefix + "results");
        p.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "dlq");
        p.put(WorkerConfig.GROUP_CONFIG, prefix + "group");
        p.put(WorkerConfig.MODEL_DIR_CONFIG, m.directory().path().toString());
        p.put(WorkerConfig.DEVICE_CONFIG, model.device);
        p.put(WorkerConfig.THREADS_CONFIG, model.threads);
        p.put(WorkerConfig.STAGE_BATCH_CONFIG, batch);
        WorkerConfig cfg = new WorkerConfig(p);
        List<ProducerRecord<byte[], byte[]>> warm = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (LayerState s : states) {
            String id = s.getId();
            byte[] v = AvroSerde.of(LayerState.class).encode(s);
            in.add(new ProducerRecord<>(prefix + "continuations", id.getBytes(StandardCharsets.UTF_8), v));
            if (warm.size() < 32) {
                warm.add(new ProducerRecord<>(prefix + "continuations", ("warm-" + id).getBytes(StandardCharsets.UTF_8), v));
            }
        }
        double seconds;
        try (WorkerPool pool = new WorkerPool(cfg, WorkerPool.client(kafka.bootstrapServers()), prefix, workers,
                new SimpleMeterRegistry(), m);
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
