package io.pabee.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.bench.ExitSummary;
import io.pabee.bench.Stats;
import io.pabee.evaluate.SvgChart;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.PatiencePolicy;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.PabeeModel;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.ExecutionDevice;
import io.pabee.broker.EmbeddedBroker;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench e2e}: SST-2 dev through the embedded broker, router and workers — PABEE at several
 * patiences and at full depth, and with 1..N workers — with a Markdown report and SVG plots.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        header = "End-to-end benchmark (broker + router + workers): PABEE vs full depth, workers; Markdown report with plots.")
final class BenchE2eCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--patience", defaultValue = "2,4,6", description = "PABEE patiences (default ${DEFAULT-VALUE}); full depth is always run.")
    String patiences;

    @Option(names = "--default-patience", defaultValue = "4")
    int defaultPatience;

    @Option(names = "--workers", defaultValue = "1,2", description = "Worker counts at the default patience (default ${DEFAULT-VALUE}).")
    String workerCounts;

    @Option(names = "--warmup-passes", defaultValue = "1",
            description = "Unmeasured passes over all records before measuring, per configuration (default ${DEFAULT-VALUE}): "
                    + "the JIT compiles Kafka's and Avro's hot paths for tens of seconds after a JVM starts.")
    int warmupPasses;

    @Option(names = "--passes", defaultValue = "3",
            description = "Measured passes per configuration; the report gives the median pass by records/s (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--router-layers", defaultValue = "6")
    int routerLayers;

    /** The baseline's batch: the router's and the in-process reference's. */
    private static final int BASELINE_BATCH = 32;

    /** The baseline's row (bench baseline), measured in this run. */
    private Map<String, Object> baseline;

    @Option(names = "--order", defaultValue = "arrival,length", split = ",",
            description = "Batch orders (pabee.batch.order) of router and workers; every configuration runs in each, one after the "
                    + "other (default ${DEFAULT-VALUE}).")
    List<String> orders;

    @Override
    public Integer call() throws Exception {
        model.validate();
        if (passes < 1 || warmupPasses < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--passes must be >= 1 and --warmup-passes >= 0");
        }
        PrintWriter out = out();
        PrintWriter err = err();
        ModelDirectory dir = model.open(GlueTask.SST_2.dirName(), msg -> { });
        int layers = dir.numLayers();
        int maxLength = model.maxLength(dir);
        List<GlueExample> dev = sample.read(GlueTask.SST_2, Split.DEV);
        List<BatchOrder> batchOrders;
        try {
            batchOrders = orders.stream().map(BatchOrder::parse).distinct().toList();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--order: " + e.getMessage());
        }
        // the in-process reference: same records, same patience, same model, same passes, no broker; CPU like the router;
        // one per batch order, their passes interleaved
        Map<BatchOrder, List<Double>> inprocPasses = new LinkedHashMap<>();
        List<PabeeModel> refs = new ArrayList<>();
        try {
            for (BatchOrder o : batchOrders) {
                refs.add(new PabeeModel(dir, "SST-2", model.encoder().on(ExecutionDevice.CPU), maxLength, 32, o));
                inprocPasses.put(o, new ArrayList<>());
            }
            List<PabeeModel.Input> in = dev.stream().map(e -> new PabeeModel.Input(e.id(), e.text(), e.textPair())).toList();
            for (int pass = 0; pass < warmupPasses + passes; pass++) {
                for (int o = 0; o < refs.size(); o++) {
                    PabeeModel m = refs.get(o);
                    double rate = Stats.perSecond(in.size(), () -> m.classify(in, new PatiencePolicy(defaultPatience), false));
                    if (pass >= warmupPasses) {
                        inprocPasses.get(batchOrders.get(o)).add(rate);
                    }
                }
            }
        } finally {
            refs.forEach(PabeeModel::close);
        }
        Map<BatchOrder, Double> inproc = new LinkedHashMap<>();
        inprocPasses.forEach((o, rates) -> {
            inproc.put(o, Stats.median(rates));
            err.printf("bench e2e: in-process PABEE (patience %d, %s order): %.1f records/s (passes %s)%n", defaultPatience,
                    o.label(), Stats.median(rates), Stats.rates(rates));
        });
        List<Map<String, Object>> rows = new ArrayList<>();
        List<int[]> configs = new ArrayList<>();
        configs.add(new int[] {0, 1});
        for (String p : patiences.split(",")) {
            configs.add(new int[] {Integer.parseInt(p.trim()), 1});
        }
        for (String w : workerCounts.split(",")) {
            int wc = Integer.parseInt(w.trim());
            if (wc != 1) {
                configs.add(new int[] {defaultPatience, wc});
            }
        }
        // each configuration once per batch order, one after the other: {patience, workers, index of the order}
        configs = configs.stream().flatMap(c -> java.util.stream.IntStream.range(0, batchOrders.size())
                .mapToObj(o -> new int[] {c[0], c[1], o})).toList();
        Map<String, long[]> histograms = new LinkedHashMap<>();
        try (EmbeddedBroker kafka = LocalBroker.embedded()) {
            // the user's alternative (bench baseline): same broker, records, passes, device and ONNX Runtime pool
            try (BaselineBench b = new BaselineBench(kafka, new BaselineBench.Settings(dir, "SST-2", model.executionDevice(),
                    model.threads, maxLength, BASELINE_BATCH), "e2e-")) {
                baseline = b.measure(dev, warmupPasses, passes, err);
            }
            int n = 0;
            for (int[] c : configs) {
                BatchOrder order = batchOrders.get(c[2]);
                String prefix = "e2e" + (n++) + "-";
                List<Measured> measured = new ArrayList<>();
                List<Double> warmRates = new ArrayList<>();
                LocalPipeline.Settings settings = LocalPipeline.Settings.of(model, dir.path(), maxLength, "SST-2", routerLayers,
                        c[0], c[1], "fp16");
                Map<String, Object> padding;
                try (LocalPipeline p = new LocalPipeline(kafka, settings, prefix, prefix, order)) {
                    for (int pass = 0; pass < warmupPasses + passes; pass++) {
                        // fresh ids per pass: the router drops repeated ids as duplicates
                        List<TextEvents.Item> items = TextEvents.items("p" + pass + "-", dev);
                        Map<String, Long> cpu0 = ThreadCpu.snapshot();
                        LocalPipeline.Run run = p.run(items, x -> { }, x -> { });
                        Map<String, Double> used = ThreadCpu.byComponent(cpu0, ThreadCpu.snapshot());
                        double rate = run.results().size() / run.seconds();
                        err.printf("bench e2e: patience %d, %d worker(s), %s order, %s pass %d: %.1f records/s%n", c[0], c[1],
                                order.label(), pass < warmupPasses ? "warm-up" : "measured", pass + 1, rate);
                        if (pass >= warmupPasses) {
                            measured.add(new Measured(run, items, used, rate));
                        } else {
                            warmRates.add(rate);
                        }
                    }
                    padding = paddingEfficiency(p.metrics());
                }
                Measured mid = Stats.medianBy(measured, Measured::rate);
                ExitSummary summary = ResultSummaries.of(mid.run().results().values(), byId(mid.items()), layers);
                Map<String, Object> row = row(mid.run(), mid.items().size(), summary, c[0], c[1]);
                row.put("batch_order", order.label());
                row.putAll(padding);
                row.put("records_per_s_passes", measured.stream().map(Measured::rate).toList());
                row.put("records_per_s_warmup_passes", warmRates);
                row.put("inprocess_pabee_records_per_s", inproc.get(order));
                row.put("inprocess_pabee_records_per_s_passes", inprocPasses.get(order));
                row.put("cpu_seconds", mid.cpu());
                row.put("baseline_records_per_s", baseline.get("records_per_s"));
                row.put("baseline_accuracy", baseline.get("accuracy"));
                row.put("baseline_padding_efficiency", baseline.get("padding_efficiency"));
                row.put("ratio_to_baseline", (Double) row.get("records_per_s") / (Double) baseline.get("records_per_s"));
                row.put("records_per_cpu_s", BaselineBench.perCpuSecond(summary.results(), mid.cpu()));
                row.put("baseline_records_per_cpu_s", baseline.get("records_per_cpu_s"));
                rows.add(row);
                histograms.put("patience=" + c[0] + ",workers=" + c[1] + ",order=" + order.label(), summary.histogram());
            }
        }
        Path dirOut = output.report != null ? output.report : Paths.reports().resolve("e2e");
        Files.createDirectories(dirOut);
        writeReport(dirOut, rows, histograms, layers);
        output.print(out, rows, dirOut.resolve("e2e.jsonl"), o -> {
            try {
                o.print(Files.readString(dirOut.resolve("report.md")));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return 0;
    }

    /**
     * Real tokens / computed tokens of the encoder layers over all passes (warm-up included): router and workers
     * together ({@code padding_efficiency}) and each alone; null where a role ran no layer.
     */
    private static Map<String, Object> paddingEfficiency(MeterRegistry metrics) {
        double[] router = tokens(metrics, "pabee_router_tokens_total");
        double[] worker = tokens(metrics, "pabee_worker_tokens_total");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("padding_efficiency", ratio(router[0] + worker[0], router[1] + worker[1]));
        m.put("router_padding_efficiency", ratio(router[0], router[1]));
        m.put("worker_padding_efficiency", ratio(worker[0], worker[1]));
        return m;
    }

    /** [real, computed] tokens of the encoder layers (stage 0, the embeddings, left out) counted under {@code name}. */
    private static double[] tokens(MeterRegistry metrics, String name) {
        double[] out = new double[2];
        for (Counter c : metrics.find(name).counters()) {
            if (!"0".equals(c.getId().getTag("layer"))) {
                out["real".equals(c.getId().getTag("kind")) ? 0 : 1] += c.count();
            }
        }
        return out;
    }

    private static Double ratio(double real, double computed) {
        return computed == 0 ? null : real / computed;
    }

    private static Map<String, TextEvents.Item> byId(List<TextEvents.Item> items) {
        Map<String, TextEvents.Item> m = new HashMap<>();
        items.forEach(i -> m.put(i.id(), i));
        return m;
    }

    private static Map<String, Object> row(LocalPipeline.Run run, int records, ExitSummary s, int patience, int workers) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", patience == 0 ? "full-depth" : "pabee");
        r.put("patience", patience);
        r.put("workers", workers);
        r.put("records", records);
        r.put("results", s.results());
        r.put("seconds", run.seconds());
        r.put("records_per_s", s.results() / run.seconds());
        r.put("latency_p50_ms", s.latencyP50Ms());
        r.put("latency_p99_ms", s.latencyP99Ms());
        // every record counts: one without a result is a wrong answer here
        r.put("accuracy", (double) s.correct() / records);
        r.put("mean_exit_layer", s.meanExitLayer());
        r.put("speedup", s.speedup());
        r.put("exited_at_router", s.exitedAtRouter());
        return r;
    }

    /** The PABEE row against the baseline per CPU-second of the process (steadier than records/s on a shared machine). */
    private String perCpu(Map<String, Object> pabee) {
        Double p = (Double) pabee.get("records_per_cpu_s");
        Double b = (Double) baseline.get("records_per_cpu_s");
        return p == null || b == null ? "" : String.format(" Per CPU-second of the whole process: PABEE %.1f records vs baseline "
                + "%.1f: **%.2fx**.", p, b, p / b);
    }

    /** One measured pass. */
    private record Measured(LocalPipeline.Run run, List<TextEvents.Item> items, Map<String, Double> cpu, double rate) {
    }

    private void writeReport(Path dirOut, List<Map<String, Object>> rows, Map<String, long[]> histograms, int layers)
            throws Exception {
        StringBuilder md = new StringBuilder("# End-to-end benchmark (embedded broker + router + workers)\n\n");
        md.append(String.format("SST-2 dev, %s records, router layers K = %d, CPU, fp16 continuations, on %d cores shared by the "
                + "broker, router, workers and analytics. Each configuration runs in its own pipeline: %d unmeasured warm-up "
                + "pass(es) over all records, then %d measured passes; a row is the median pass by records/s (all passes are "
                + "in `e2e.jsonl`). Records/s runs from the first input to the last result; latency = event time to exit, "
                + "with all records of a pass produced at once (so it includes queueing). The in-process reference runs "
                + "the same records, patience, batch order and passes through one in-JVM runner, with no broker. Batch order "
                + "(`pabee.batch.order`): arrival = stage calls take records as they come, length = records of similar token count "
                + "share a call; padding = real tokens / computed tokens (records x padded length) of the encoder layers, router "
                + "and workers together, over all passes of the configuration.%n%n",
                rows.get(0).get("records"), routerLayers, Runtime.getRuntime().availableProcessors(), warmupPasses, passes));
        List<String> jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X")).toList();
        md.append(String.format("JVM: %s %s, options %s.%n%n", System.getProperty("java.vm.name"), System.getProperty("java.version"),
                jvm.isEmpty() ? "none" : String.join(" ", jvm)));
        md.append("| mode | patience | workers | order | records/s | p50 ms | p99 ms | accuracy | mean exit | speed-up | exited at router "
                + "| padding | first (cold-JVM) pass records/s |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            List<Double> cold = (List<Double>) r.get("records_per_s_warmup_passes");
            Double padding = (Double) r.get("padding_efficiency");
            md.append(String.format("| %s | %s | %s | %s | %.1f | %s | %s | %.4f | %.2f | %.2fx | %s | %s | %s |%n", r.get("mode"),
                    r.get("patience"), r.get("workers"), r.get("batch_order"), (Double) r.get("records_per_s"), r.get("latency_p50_ms"),
                    r.get("latency_p99_ms"), (Double) r.get("accuracy"), (Double) r.get("mean_exit_layer"), (Double) r.get("speedup"),
                    r.get("exited_at_router"), padding == null ? "–" : String.format("%.3f", padding),
                    cold.isEmpty() ? "–" : String.format("%.1f", cold.get(0))));
        }
        for (String order : rows.stream().map(r -> (String) r.get("batch_order")).distinct().toList()) {
            summarize(md, rows.stream().filter(r -> r.get("batch_order").equals(order)).toList(), layers);
        }
        String firstOrder = (String) rows.get(0).get("batch_order");
        SvgChart acc = new SvgChart("SST-2 dev end to end: accuracy vs speed-up", "speed-up (L / mean exit layer)", "accuracy");
        List<SvgChart.Point> pts = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if ((Integer) r.get("workers") == 1 && r.get("batch_order").equals(firstOrder)) {
                pts.add(new SvgChart.Point((Double) r.get("speedup"), (Double) r.get("accuracy")));
            }
        }
        pts.sort(java.util.Comparator.comparingDouble(SvgChart.Point::x));
        acc.series("end to end", pts);
        acc.write(dirOut.resolve("accuracy-vs-speedup.svg"));
        long[] h = histograms.getOrDefault("patience=" + defaultPatience + ",workers=1,order=" + firstOrder, new long[layers]);
        List<String> cats = new ArrayList<>();
        double[] vals = new double[layers];
        for (int l = 0; l < layers; l++) {
            cats.add(Integer.toString(l + 1));
            vals[l] = h[l];
        }
        Files.writeString(dirOut.resolve("exit-histogram.svg"),
                SvgChart.renderBars("Exit layers, patience " + defaultPatience, cats, vals));
        List<String> wc = new ArrayList<>();
        List<Double> wr = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if ((Integer) r.get("patience") == defaultPatience) {
                wc.add(r.get("workers") + " worker(s), " + r.get("batch_order"));
                wr.add((Double) r.get("records_per_s"));
            }
        }
        Files.writeString(dirOut.resolve("throughput-vs-workers.svg"),
                SvgChart.renderBars("Records/s vs workers, patience " + defaultPatience, wc, wr.stream().mapToDouble(Double::doubleValue).toArray()));
        md.append("\n![accuracy vs speed-up](accuracy-vs-speedup.svg)\n![exit histogram](exit-histogram.svg)\n"
                + "![throughput vs workers](throughput-vs-workers.svg)\n");
        Files.writeString(dirOut.resolve("report.md"), md);
    }

    /** The ratios of one batch order's rows: end to end vs in process, PABEE vs full depth, and where the CPU went. */
    private void summarize(StringBuilder md, List<Map<String, Object>> rows, int layers) {
        Map<String, Object> full = rows.get(0);
        Map<String, Object> pabee = rows.stream()
                .filter(r -> (Integer) r.get("patience") == defaultPatience && (Integer) r.get("workers") == 1).findFirst().orElse(null);
        if (pabee != null) {
            double inproc = (Double) pabee.get("inprocess_pabee_records_per_s");
            double e2e = (Double) pabee.get("records_per_s");
            double fullRate = (Double) full.get("records_per_s");
            double target = 0.8 * layers / (Double) pabee.get("mean_exit_layer");
            md.append(String.format("%nAt patience %d, %s order: end-to-end PABEE %.1f records/s vs in-process PABEE %.1f records/s: "
                            + "ratio **%.3f** (target ≥ 0.8). PABEE end-to-end vs full depth end-to-end: **%.2fx** faster (target ≥ "
                            + "0.8 × L / mean exit layer = %.2fx).%n",
                    defaultPatience, pabee.get("batch_order"), e2e, inproc, e2e / inproc, e2e / fullRate, target));
            md.append(String.format("%nAgainst the user's alternative (`bench baseline`: one consumer -> monolithic model, batches of %d "
                            + "in arrival order -> transactional producer, same broker, records, passes and ONNX Runtime pool, measured "
                            + "in this run): PABEE (%s order) %.1f records/s vs baseline %.1f records/s: **%.2fx** (target ≥ 2.5x); "
                            + "accuracy %.4f vs %.4f (%+.2f points; target within 0.5). Baseline padding efficiency %.3f; its median "
                            + "pass (%.2f s wall) spent, in seconds: %s.%s%n",
                    BASELINE_BATCH, pabee.get("batch_order"), e2e, (Double) baseline.get("records_per_s"),
                    e2e / (Double) baseline.get("records_per_s"),
                    (Double) pabee.get("accuracy"), (Double) baseline.get("accuracy"),
                    100 * ((Double) pabee.get("accuracy") - (Double) baseline.get("accuracy")),
                    (Double) baseline.get("padding_efficiency"), (Double) baseline.get("seconds"), BaselineBench.timeSpent(baseline),
                    perCpu(pabee)));
            @SuppressWarnings("unchecked")
            Map<String, Double> cpu = (Map<String, Double>) pabee.get("cpu_seconds");
            if (!cpu.isEmpty()) {
                double wall = (Double) pabee.get("seconds");
                double total = cpu.values().stream().mapToDouble(Double::doubleValue).sum();
                md.append(String.format("%nWhere the CPU went in that pass (patience %d, 1 worker, %s order, %.2f s wall, %.2f CPU-s = %.2f "
                        + "cores busy):%n%n", defaultPatience, pabee.get("batch_order"), wall, total, total / wall));
                md.append("| component | CPU s | share |\n|---|---|---|\n");
                cpu.forEach((k, v) -> md.append(String.format("| %s | %.2f | %.0f%% |%n", k, v, 100 * v / total)));
            }
        }
    }
}
