package io.pabee.cli;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.bench.ExitSummary;
import io.pabee.bench.Stats;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.config.CommonConfigs;
import io.pabee.evaluate.SvgChart;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.ModelDirectory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench router-layers}: end-to-end throughput (embedded broker, router, a CPU worker pool)
 * at each fixed router K, then one run whose K adapts to the queues ({@code pabee.adaptive.router.layers})
 * from a starting K: where it settles, against the fastest fixed K.
 */
@Command(name = "router-layers", mixinStandardHelpOptions = true,
        header = "Router K: records/s end to end at each fixed K, then where adaptive K settles; Markdown report.")
final class BenchRouterLayersCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--k", defaultValue = "0,2,4,6,8,10,12", split = ",",
            description = "Fixed router layers to measure (default ${DEFAULT-VALUE}); their smallest and largest bound the adaptive K.")
    List<Integer> ks;

    @Option(names = "--start", defaultValue = "6", description = "K the adaptive run starts at (default ${DEFAULT-VALUE}).")
    int start;

    @Option(names = "--patience", defaultValue = "4", description = "PABEE patience (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--workers", defaultValue = "1", description = "Workers in the pool (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--warmup-passes", defaultValue = "1",
            description = "Unmeasured passes over the records per pipeline before measuring (default ${DEFAULT-VALUE}).")
    int warmupPasses;

    @Option(names = "--passes", defaultValue = "4",
            description = "Each measured run (fixed K and adaptive alike) produces the records this many times over at once, "
                    + "so K has a backlog to settle under and start-up and drain weigh the same everywhere (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--adaptive-passes",
            description = "The adaptive run's passes instead (default: --passes); longer gives K time to settle, its last-half rate "
                    + "is then the one to compare.")
    Integer adaptivePasses;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "pabee.adaptive.interval.ms of the adaptive run (default ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--window-ms", defaultValue = "10000",
            description = "pabee.router.layers.window.ms of the adaptive run (default ${DEFAULT-VALUE}).")
    long windowMs;

    @Option(names = "--sweeps", defaultValue = "2",
            description = "1: the fixed K once, ascending, before the adaptive run; 2: ascending before it and descending after it, "
                    + "records/s the mean of the two (default ${DEFAULT-VALUE}).")
    int sweeps;

    @Option(names = "--adaptive-only", description = "Skip the fixed-K runs (--k still bounds the adaptive K).")
    boolean adaptiveOnly;

    @Option(names = "--batch-records", description = "pabee.batch.max.records of every run (default: the router's, 512).")
    Integer batchRecords;

    private ModelDirectory dir;
    private int maxLength;

    @Override
    public Integer call() throws Exception {
        model.validate();
        List<Integer> fixed = ks.stream().distinct().sorted().toList();
        int min = fixed.get(0);
        int max = fixed.get(fixed.size() - 1);
        if (min < 0 || start < min || start > max || passes < 1 || (adaptivePasses != null && adaptivePasses < 1) || warmupPasses < 0 || workers < 1 || sweeps < 1 || sweeps > 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need 0 <= min K <= --start <= max K, --passes >= 1, "
                    + "--warmup-passes >= 0, --workers >= 1 and --sweeps 1 or 2");
        }
        PrintWriter err = err();
        dir = model.open(GlueTask.SST_2.dirName(), msg -> { });
        int layers = dir.numLayers();
        maxLength = model.maxLength(dir);
        List<GlueExample> dev = sample.read(GlueTask.SST_2, Split.DEV);
        Map<String, Object> common = new HashMap<>();
        if (batchRecords != null) {
            common.put(RouterConfig.BATCH_RECORDS_CONFIG, batchRecords);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> adaptive;
        List<double[]> timeline = new CopyOnWriteArrayList<>();
        // the JVM keeps speeding up over the first pipelines (JIT): with two sweeps the fixed K run in ascending,
        // then descending order around the adaptive run, so a steady drift weighs on every K and the adaptive run alike
        Map<Integer, List<Map<String, Object>>> fixedRuns = new java.util.TreeMap<>();
        try (EmbeddedBroker kafka = LocalBroker.embedded()) {
            int n = 0;
            for (int k : adaptiveOnly ? List.<Integer>of() : fixed) {
                fixedRuns.computeIfAbsent(k, x -> new ArrayList<>()).add(fixedRun(kafka, dev, k, "rk" + (n++) + "-", common, layers));
            }
            Map<String, Object> adaptiveSettings = new HashMap<>(common);
            adaptiveSettings.put(RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, true);
            adaptiveSettings.put(RouterConfig.ROUTER_LAYERS_MIN_CONFIG, min);
            adaptiveSettings.put(RouterConfig.ROUTER_LAYERS_MAX_CONFIG, max);
            adaptiveSettings.put(CommonConfigs.ADAPTIVE_INTERVAL_CONFIG, intervalMs);
            adaptiveSettings.put(RouterConfig.ROUTER_LAYERS_WINDOW_CONFIG, windowMs);
            String prefix = "rka-";
            try (LocalPipeline p = new LocalPipeline(kafka, settings(dir, maxLength, start), prefix, prefix, BatchOrder.LENGTH,
                    adaptiveSettings)) {
                warmUp(p, dev, start, err);
                // the warm-up may have moved K: the measured run starts where it says
                p.controls().layers().set(start);
                List<TextEvents.Item> items = flood("a", dev, adaptivePasses != null ? adaptivePasses : passes);
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                long t0 = System.nanoTime();
                sampler.scheduleAtFixedRate(() -> timeline.add(new double[] {(System.nanoTime() - t0) / 1e9,
                        p.controls().layers().current(), gauge(p.metrics(), "input"), gauge(p.metrics(), "continuations")}),
                        0, 250, TimeUnit.MILLISECONDS);
                Measured m;
                try {
                    m = measure(p, items);
                } finally {
                    sampler.shutdownNow();
                }
                adaptive = row("adaptive", start, m, layers);
                settle(adaptive, m, timeline, t0);
                err.printf("bench router-layers: adaptive from K = %d: %.1f records/s, settled at K = %s (%s)%n", start,
                        (Double) adaptive.get("records_per_s"), adaptive.get("settled_k"), adaptive.get("settled_k_source"));
            }
            List<Integer> back = new ArrayList<>(fixed);
            java.util.Collections.reverse(back);
            for (int k : adaptiveOnly || sweeps < 2 ? List.<Integer>of() : back) {
                fixedRuns.get(k).add(fixedRun(kafka, dev, k, "rk" + (n++) + "-", common, layers));
            }
        }
        fixedRuns.forEach((k, runs) -> {
            Map<String, Object> row = new LinkedHashMap<>(runs.get(0));
            List<Double> rates = runs.stream().map(r -> (Double) r.get("records_per_s")).toList();
            row.put("records_per_s", rates.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            row.put("records_per_s_sweeps", rates);
            rows.add(row);
        });
        rows.add(adaptive);
        Path dirOut = output.report != null ? output.report : Paths.reports().resolve("router-layers");
        Files.createDirectories(dirOut);
        String md = report(rows, adaptive, timeline, dirOut, dev.size());
        Files.writeString(dirOut.resolve("report.md"), md);
        output.print(out(), rows, dirOut.resolve("router-layers.jsonl"), o -> o.print(md));
        return 0;
    }

    /** One fixed-K pipeline: warm-up passes, then one measured pass over the records. */
    private Map<String, Object> fixedRun(EmbeddedBroker kafka, List<GlueExample> dev, int k, String prefix, Map<String, Object> common,
                                         int layers) throws Exception {
        try (LocalPipeline p = new LocalPipeline(kafka, settings(dir, maxLength, k), prefix, prefix,
                BatchOrder.LENGTH, common)) {
            warmUp(p, dev, k, err());
            Measured m = measure(p, flood("m", dev, passes));
            Map<String, Object> row = row("fixed", k, m, layers);
            err().printf("bench router-layers: K = %d: %.1f records/s%n", k, (Double) row.get("records_per_s"));
            return row;
        }
    }

    /** The records {@code times} over, with fresh ids per pass (the router drops repeated ids). */
    private static List<TextEvents.Item> flood(String prefix, List<GlueExample> dev, int times) {
        List<TextEvents.Item> items = new ArrayList<>();
        for (int pass = 0; pass < times; pass++) {
            items.addAll(TextEvents.items(prefix + pass + "-", dev));
        }
        return items;
    }

    private LocalPipeline.Settings settings(ModelDirectory dir, int maxLength, int k) {
        return LocalPipeline.Settings.of(model, dir.path(), maxLength, "SST-2", k, patience, workers, "fp16");
    }

    private void warmUp(LocalPipeline p, List<GlueExample> dev, int k, PrintWriter err) {
        for (int pass = 0; pass < warmupPasses; pass++) {
            LocalPipeline.Run run = p.run(TextEvents.items("w" + pass + "-", dev), x -> { }, x -> { });
            err.printf("bench router-layers: K = %d warm-up pass %d: %.1f records/s%n", k, pass + 1, run.results().size() / run.seconds());
        }
    }

    private static double gauge(MeterRegistry metrics, String queue) {
        Gauge g = metrics.find("pabee_queue_lag").tag("queue", queue).gauge();
        return g == null ? -1 : g.value();
    }

    /** One measured run: what came out, each result's arrival (seconds from the start) and the items sent. */
    private record Measured(LocalPipeline.Run run, List<Classification> order, List<Double> arrivals, List<TextEvents.Item> items) {
    }

    private static Measured measure(LocalPipeline p, List<TextEvents.Item> items) {
        List<Classification> order = new ArrayList<>();
        List<Double> arrivals = new ArrayList<>();
        long t0 = System.nanoTime();
        LocalPipeline.Run run = p.run(items, c -> {
            order.add(c);
            arrivals.add((System.nanoTime() - t0) / 1e9);
        }, x -> { });
        return new Measured(run, order, arrivals, items);
    }

    private static Map<String, Object> row(String mode, int k, Measured m, int layers) {
        Map<String, TextEvents.Item> byId = new HashMap<>();
        m.items().forEach(i -> byId.put(i.id(), i));
        ExitSummary s = ResultSummaries.of(m.run().results().values(), byId, layers);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put(mode.equals("fixed") ? "router_layers" : "start_router_layers", k);
        r.put("records", m.items().size());
        r.put("results", s.results());
        r.put("dead_letters", m.run().dead().size());
        r.put("seconds", m.run().seconds());
        r.put("records_per_s", s.results() / m.run().seconds());
        r.put("latency_p50_ms", s.latencyP50Ms());
        r.put("latency_p99_ms", s.latencyP99Ms());
        r.put("accuracy", s.accuracy());
        r.put("mean_exit_layer", s.meanExitLayer());
        r.put("exited_at_router", s.exitedAtRouter());
        return r;
    }

    /**
     * Where the adaptive run settled: the K most results of its last half ran with (Classification.router_layers),
     * or, where results do not carry it, the K the router ran most of the time over the last half of the run.
     */
    private static void settle(Map<String, Object> row, Measured m, List<double[]> timeline, long t0) {
        int half = m.order().size() / 2;
        List<Classification> lastHalf = m.order().subList(half, m.order().size());
        Map<Integer, Long> byK = new java.util.TreeMap<>();
        String source;
        if (!lastHalf.isEmpty() && lastHalf.stream().allMatch(c -> c.getRouterLayers() != null)) {
            lastHalf.forEach(c -> byK.merge(c.getRouterLayers(), 1L, Long::sum));
            source = "results";
        } else {
            double from = m.run().seconds() / 2;
            timeline.stream().filter(s -> s[0] >= from).forEach(s -> byK.merge((int) s[1], 1L, Long::sum));
            source = "timeline";
        }
        row.put("settled_k", byK.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null));
        row.put("settled_k_source", source);
        row.put("last_half_k_counts", byK);
        if (half > 0 && m.arrivals().size() > half) {
            double a = m.arrivals().get(half - 1);
            double b = m.arrivals().get(m.arrivals().size() - 1);
            row.put("last_half_records_per_s", b > a ? (m.arrivals().size() - half) / (b - a) : null);
        }
        long changes = 0;
        for (int i = 1; i < timeline.size(); i++) {
            changes += timeline.get(i)[1] != timeline.get(i - 1)[1] ? 1 : 0;
        }
        row.put("k_changes", changes);
    }

    /** The fixed runs just below and above {@code settled}, e.g. "K = 2: 140.1 records/s, K = 4: 133.0 records/s". */
    private static String neighbours(List<Map<String, Object>> rows, Object settled) {
        if (!(settled instanceof Integer k)) {
            return "";
        }
        List<String> near = new ArrayList<>();
        rows.stream().filter(r -> r.get("mode").equals("fixed") && (Integer) r.get("router_layers") < k)
                .max(java.util.Comparator.comparingInt(r -> (Integer) r.get("router_layers"))).ifPresent(r -> near.add(
                        String.format("K = %s: %.1f records/s", r.get("router_layers"), (Double) r.get("records_per_s"))));
        rows.stream().filter(r -> r.get("mode").equals("fixed") && (Integer) r.get("router_layers") > k)
                .min(java.util.Comparator.comparingInt(r -> (Integer) r.get("router_layers"))).ifPresent(r -> near.add(
                        String.format("K = %s: %.1f records/s", r.get("router_layers"), (Double) r.get("records_per_s"))));
        return "its neighbours: " + String.join(", ", near) + ".";
    }

    private String report(List<Map<String, Object>> rows, Map<String, Object> adaptive, List<double[]> timeline, Path dirOut,
                          int records) throws Exception {
        StringBuilder md = new StringBuilder("# Router K: fixed vs adaptive (end to end, CPU worker pool)\n\n");
        // the root command's parse result holds the whole command line (bench router-layers ...)
        CommandLine root = spec.root().commandLine();
        md.append(String.format("Command: `ops/pabee %s`%n%n", String.join(" ", root.getParseResult().originalArgs())));
        md.append(String.format("SST-2 dev, %d records %d times over (%d) per measured run, patience %d, %d CPU worker(s), embedded "
                + "broker, %d cores shared by broker, router, workers and analytics; batch order length; %d unmeasured warm-up pass(es) "
                + "over the %d records per pipeline. Records/s runs from the first input to the last result, all records of a run "
                + "produced at once. The adaptive run (%d records) starts at K = %d within %s..%s, samples the queues every %d ms and "
                + "steps at most once per %d ms window.%n%n", records, passes, records * passes, patience, workers,
                Runtime.getRuntime().availableProcessors(), warmupPasses, records,
                records * (adaptivePasses != null ? adaptivePasses : passes), start, ks.stream().min(Integer::compare).orElseThrow(),
                ks.stream().max(Integer::compare).orElseThrow(), intervalMs, windowMs));
        md.append(sweeps == 2 ? "The fixed K ran twice, ascending before the adaptive run and descending after it (the JVM speeds up "
                + "over the first pipelines); records/s is the mean of the two, the other columns are from the first.\n\n"
                : "The fixed K ran once each, ascending, before the adaptive run.\n\n");
        md.append("| K | records/s | per sweep | p50 ms | p99 ms | accuracy | mean exit layer | exited at router |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        Map<String, Object> best = null;
        for (Map<String, Object> r : rows) {
            if (r.get("mode").equals("fixed")) {
                @SuppressWarnings("unchecked")
                List<Double> perSweep = (List<Double>) r.get("records_per_s_sweeps");
                md.append(String.format("| %s | %.1f | %s | %s | %s | %.4f | %.2f | %s |%n", r.get("router_layers"), (Double) r.get("records_per_s"),
                        Stats.rates(perSweep), r.get("latency_p50_ms"), r.get("latency_p99_ms"), (Double) r.get("accuracy"), (Double) r.get("mean_exit_layer"),
                        r.get("exited_at_router")));
                if (best == null || (Double) r.get("records_per_s") > (Double) best.get("records_per_s")) {
                    best = r;
                }
            }
        }
        Object settled = adaptive.get("settled_k");
        Double lastHalf = (Double) adaptive.get("last_half_records_per_s");
        md.append(String.format("%nAdaptive from K = %d: **%.1f records/s** overall%s; settled at **K = %s**, %s (K: count %s), "
                        + "%s changes of K.%n", start, (Double) adaptive.get("records_per_s"),
                lastHalf == null ? "" : String.format(", %.1f records/s over the last half of its results", lastHalf), settled,
                "results".equals(adaptive.get("settled_k_source"))
                        ? "the K most results of its last half ran with (Classification.router_layers)"
                        : "the K the router ran most of the time over the last half of the run (K sampled every 250 ms; results did "
                        + "not carry their K)",
                adaptive.get("last_half_k_counts"), adaptive.get("k_changes")));
        if (best != null) {
            Map<String, Object> atSettled = rows.stream().filter(r -> r.get("mode").equals("fixed") && r.get("router_layers").equals(settled))
                    .findFirst().orElse(null);
            md.append(String.format("Fastest fixed K: **K = %s, %.1f records/s**.%s%n", best.get("router_layers"),
                    (Double) best.get("records_per_s"), atSettled == null ? " The settled K was not among the fixed runs; " + neighbours(rows, settled)
                            : String.format(" Fixed K = %s ran %.1f records/s, %.0f%% of the fastest.", settled,
                            (Double) atSettled.get("records_per_s"),
                            100 * (Double) atSettled.get("records_per_s") / (Double) best.get("records_per_s"))));
        }
        if (!timeline.isEmpty()) {
            double[] t = timeline.stream().mapToDouble(s -> s[0]).toArray();
            Files.writeString(dirOut.resolve("k-over-time.svg"), new SvgChart("Adaptive router K over time", "seconds", "K")
                    .series("K", t, timeline.stream().mapToDouble(s -> s[1]).toArray()).render());
            Files.writeString(dirOut.resolve("lag-over-time.svg"), new SvgChart("Queue lags of the adaptive run", "seconds", "records")
                    .series("input", t, timeline.stream().mapToDouble(s -> s[2]).toArray())
                    .series("continuations", t, timeline.stream().mapToDouble(s -> s[3]).toArray()).render());
            md.append("\n![K over time](k-over-time.svg)\n![queue lags](lag-over-time.svg)\n");
            StringBuilder csv = new StringBuilder("seconds,k,input_lag,continuation_lag\n");
            timeline.forEach(s -> csv.append(String.format("%.2f,%d,%d,%d%n", s[0], (int) s[1], (long) s[2], (long) s[3])));
            Files.writeString(dirOut.resolve("timeline.csv"), csv);
        }
        return md.toString();
    }
}
