package io.pabee.cli;

import io.pabee.bench.ExitSummary;
import io.pabee.bench.MonolithicClassifier;
import io.pabee.bench.Stats;
import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.schema.Classification;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.ModelDirectory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The user's alternative to PABEE on a given broker ({@link BaselineConsumer} on one thread, its own
 * topics, group and transactional id), measured like the end-to-end pipeline: records/s from the
 * first input produced to the last result read back (read_committed).
 */
final class BaselineBench implements AutoCloseable {
    /** The input topic's partitions: as many as the PABEE pipeline's input topic has with one worker. */
    static final int INPUT_PARTITIONS = 2;

    /** What the baseline runs: model, task, device, ONNX Runtime threads (0 = all cores), truncation length, batch size. */
    record Settings(ModelDirectory dir, String task, ExecutionDevice device, int threads, int maxLength, int batchSize) {
    }

    /** One pass: what came out by id, dead letters, its wall time, token counts and per-phase seconds. */
    record Pass(Map<String, Classification> results, int deadLetters, double seconds, long realTokens, long paddedTokens,
                Map<String, Double> phaseSeconds, Map<String, Double> cpuSeconds) {
        double rate() {
            return results.size() / seconds;
        }

        double paddingEfficiency() {
            return MonolithicClassifier.paddingEfficiency(realTokens, paddedTokens);
        }
    }

    private final KafkaBroker kafka;
    private final Settings settings;
    private final String input;
    private final String results;
    private final String dead;
    private final MonolithicClassifier model;
    private final BaselineConsumer loop;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final KafkaConsumer<byte[], byte[]> reader;
    /** Every id answered so far, over all passes: a second answer for one is a broken exactly-once. */
    private final java.util.Set<String> answered = new java.util.HashSet<>();

    /** Creates the topics {@code prefix + baseline-input|results|dead-letters}, loads the model and starts the consumer. */
    BaselineBench(KafkaBroker kafka, Settings s, String prefix) {
        this.kafka = kafka;
        this.settings = s;
        input = prefix + "baseline-input";
        results = prefix + "baseline-results";
        dead = prefix + "baseline-dead-letters";
        kafka.createTopic(input, INPUT_PARTITIONS, Map.of());
        kafka.createTopic(results, INPUT_PARTITIONS, Map.of());
        kafka.createTopic(dead, 1, Map.of());
        model = new MonolithicClassifier(s.dir(), s.task(), s.device(), s.threads(), s.maxLength());
        loop = new BaselineConsumer(WorkerPool.client(kafka.bootstrapServers()),
                new BaselineConsumer.Settings(input, results, dead, prefix + "baseline", prefix + "baseline-tx", s.batchSize()), model);
        thread = new Thread(loop, "pabee-baseline");
        thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        reader = new KafkaConsumer<>(kafka.consumerConfig(prefix + "baseline-reader"));
        reader.subscribe(List.of(results, dead));
        thread.start();
    }

    /** Produces the items and waits (up to 30 min) until each has a result or a dead letter. */
    Pass run(List<TextEvents.Item> items) {
        Map<String, Classification> out = new LinkedHashMap<>();
        int[] deadLetters = {0};
        long[] tokens0 = model.tokenCounts();
        long[] phases0 = loop.phaseNanos();
        Map<String, Long> cpu0 = ThreadCpu.snapshot();
        long t0 = System.nanoTime();
        kafka.produce(input, TextEvents.records(input, items));
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (out.size() + deadLetters[0] < items.size() && System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw new IllegalStateException("the baseline consumer stopped: " + failure.get(), failure.get());
            }
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(results)) {
                    Classification c = AvroSerde.of(Classification.class).decode(r.value());
                    if (!answered.add(c.getId())) {
                        throw new IllegalStateException("record " + c.getId() + " answered twice");
                    }
                    out.put(c.getId(), c);
                } else {
                    deadLetters[0]++;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] tokens1 = model.tokenCounts();
        return new Pass(out, deadLetters[0], seconds, tokens1[0] - tokens0[0], tokens1[1] - tokens0[1],
                BaselineConsumer.seconds(phases0, loop.phaseNanos()), ThreadCpu.byComponent(cpu0, ThreadCpu.snapshot()));
    }

    /** Warm-up passes, then measured ones, each with fresh ids ({@code b<pass>-}); returns the JSON row of the median pass. */
    Map<String, Object> measure(List<GlueExample> examples, int warmupPasses, int passes, PrintWriter progress) {
        List<Pass> measured = new ArrayList<>();
        List<List<TextEvents.Item>> itemsOf = new ArrayList<>();
        List<Double> warmRates = new ArrayList<>();
        for (int pass = 0; pass < warmupPasses + passes; pass++) {
            List<TextEvents.Item> items = TextEvents.items("b" + pass + "-", examples);
            Pass p = run(items);
            progress.printf("bench baseline: %s pass %d: %.1f records/s%n", pass < warmupPasses ? "warm-up" : "measured",
                    pass + 1, p.rate());
            progress.flush();
            if (pass >= warmupPasses) {
                measured.add(p);
                itemsOf.add(items);
            } else {
                warmRates.add(p.rate());
            }
        }
        Pass mid = Stats.medianBy(measured, Pass::rate);
        List<TextEvents.Item> items = itemsOf.get(measured.indexOf(mid));
        Map<String, TextEvents.Item> byId = new HashMap<>();
        items.forEach(i -> byId.put(i.id(), i));
        ExitSummary summary = ResultSummaries.of(mid.results().values(), byId, model.numLayers());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "baseline");
        row.put("records_per_s", mid.rate());
        // every record counts: one without a result is a wrong answer here, as in bench e2e
        row.put("accuracy", (double) summary.correct() / items.size());
        row.put("padding_efficiency", mid.paddingEfficiency());
        row.put("records", items.size());
        row.put("results", mid.results().size());
        row.put("dead_letters", mid.deadLetters());
        row.put("seconds", mid.seconds());
        row.put("batch_size", settings.batchSize());
        row.put("threads", io.pabee.stage.OrtRuntime.threads());
        row.put("latency_p50_ms", summary.latencyP50Ms());
        row.put("latency_p99_ms", summary.latencyP99Ms());
        row.put("phase_seconds", mid.phaseSeconds());
        row.put("cpu_seconds", mid.cpuSeconds());
        row.put("records_per_cpu_s", perCpuSecond(mid.results().size(), mid.cpuSeconds()));
        row.put("records_per_s_passes", measured.stream().map(Pass::rate).toList());
        row.put("records_per_s_warmup_passes", warmRates);
        return row;
    }

    /**
     * Records per CPU-second of the whole process (every thread, from /proc), null where /proc is missing:
     * on a shared machine it moves less than records/s, which depends on how much CPU the pass was given.
     */
    static Double perCpuSecond(int records, Map<String, Double> cpuSeconds) {
        double total = cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        return total > 0 ? records / total : null;
    }

    /** The row's phase seconds, then its CPU seconds by component, as {@code poll 0.12, decode_tokenize 0.30, ...}. */
    static String timeSpent(Map<String, Object> row) {
        return listed(row, "phase_seconds") + "; CPU seconds by component: " + listed(row, "cpu_seconds");
    }

    @SuppressWarnings("unchecked")
    private static String listed(Map<String, Object> row, String key) {
        StringBuilder sb = new StringBuilder();
        ((Map<String, Double>) row.get(key)).forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format("%.2f", v)));
        return sb.length() == 0 ? "not measured" : sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        thread.join(30_000);
        reader.close();
        model.close();
    }
}
