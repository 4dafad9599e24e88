package io.pabee.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.evaluate.CsvWriter;
import io.pabee.evaluate.Evaluation;
import io.pabee.evaluate.SvgChart;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.ExitPolicies;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.HeadOutput;
import io.pabee.stage.ModelDirectory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee models evaluate}: task metric, mean exit layer and speed-up per exit policy and setting. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        header = "Evaluate exit policies on a GLUE split: metric, mean exit layer, speed-up = L / mean exit layer.")
final class EvaluateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--task", required = true, description = "SST-2, MRPC, RTE, CoLA or STS-B.")
    String task;

    @Option(names = "--split", defaultValue = "dev", description = "dev (default) or test (held out: report only).")
    String split;

    @Mixin
    GlueOptions glue;

    @Option(names = "--policy", defaultValue = "all",
            description = "patience, fixed, entropy, confidence, vote, or all (default).")
    String policy;

    @Option(names = "--patience", defaultValue = "1,2,3,4,5,6", description = "Patience settings (default ${DEFAULT-VALUE}).")
    String patience;

    @Option(names = "--k", description = "Fixed-depth settings (default 1..L).")
    String k;

    @Option(names = "--entropy", defaultValue = "0.05,0.1,0.2,0.3,0.4,0.5,0.6",
            description = "Entropy thresholds (default ${DEFAULT-VALUE}).")
    String entropy;

    @Option(names = "--confidence", defaultValue = "0.6,0.7,0.8,0.9,0.95,0.99",
            description = "Max-probability thresholds (default ${DEFAULT-VALUE}).")
    String confidence;

    @Option(names = "--regression-threshold", defaultValue = "0.5",
            description = "Patience for regression tasks: a layer counts as unchanged when |score change| < this (default ${DEFAULT-VALUE}, chosen on STS-B dev).")
    float regressionThreshold;

    @Option(names = "--json", description = "One JSON object per line instead of tables.")
    boolean json;

    @Option(names = "--report", description = "Directory for CSV and SVG output (default: reports/<base>).")
    Path report;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.validate();
        rejectUnusedSettings(t);
        Split s = Split.parse(split);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HeadTraces.Traced traced = HeadTraces.of(model, glue, t, s, err);
        ModelDirectory dir = traced.dir();
        TaskData data = traced.data();
        HeadOutput[][] outputs = traced.outputs();

        List<ExitPolicy> policies = policies(t, dir.numLayers());
        List<Evaluation.PolicyRow> rows = new ArrayList<>();
        for (ExitPolicy p : policies) {
            rows.add(Evaluation.evaluate(t, s, outputs, data.examples, p));
        }
        List<Map<String, Double>> perLayer = Evaluation.perLayer(t, outputs, data.examples);

        Path reportDir = report != null ? report : Paths.reports().resolve(dir.manifest().base);
        Files.createDirectories(reportDir);
        String stem = t.dirName() + "-" + s.id();
        writeCsv(reportDir.resolve(stem + "-policies.csv"), rows);
        writeLayersCsv(reportDir.resolve(stem + "-layers.csv"), t, perLayer);
        writeSvg(reportDir.resolve(stem + "-tradeoff.svg"), t, s, rows, perLayer, dir.numLayers());

        if (json) {
            for (Evaluation.PolicyRow r : rows) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("task", r.task());
                o.put("split", r.split());
                o.put("policy", r.policy());
                o.put("setting", r.setting());
                o.put("metric", r.metric());
                o.put("score", r.score());
                o.put("mean_exit_layer", r.meanExitLayer());
                o.put("speedup", r.speedup());
                o.put("metrics", r.metrics());
                o.put("exit_histogram", IntStream.range(1, r.exitHistogram().length).map(i -> r.exitHistogram()[i]).toArray());
                o.put("records", data.size());
                out.println(JSON.writeValueAsString(o));
            }
            for (int l = 0; l < perLayer.size(); l++) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("task", t.dirName());
                o.put("split", s.id());
                o.put("policy", "layer");
                o.put("setting", "layer=" + (l + 1));
                o.put("metric", t.mainMetric());
                o.put("score", perLayer.get(l).get(t.mainMetric()));
                o.put("mean_exit_layer", (double) (l + 1));
                o.put("speedup", (double) dir.numLayers() / (l + 1));
                o.put("metrics", perLayer.get(l));
                out.println(JSON.writeValueAsString(o));
            }
        } else {
            printTables(out, t, s, data, rows, perLayer, dir.numLayers());
            out.printf("%nwrote %s, %s, %s%n", reportDir.resolve(stem + "-policies.csv"),
                    reportDir.resolve(stem + "-layers.csv"), reportDir.resolve(stem + "-tradeoff.svg"));
        }
        out.flush();
        return 0;
    }

    /** A policy's settings given for a policy that will not run are an error, not a silent no-op. */
    private void rejectUnusedSettings(GlueTask t) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        Map<String, String> policyOf = new LinkedHashMap<>();
        policyOf.put("--patience", "patience");
        policyOf.put("--k", "fixed");
        policyOf.put("--entropy", "entropy");
        policyOf.put("--confidence", "confidence");
        for (Map.Entry<String, String> e : policyOf.entrySet()) {
            if (given.hasMatchedOption(e.getKey()) && !policy.equalsIgnoreCase("all") && !policy.equalsIgnoreCase(e.getValue())) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        e.getKey() + " sets the " + e.getValue() + " policy, which --policy " + policy + " does not run");
            }
        }
        if (t.isRegression() && (given.hasMatchedOption("--entropy") || given.hasMatchedOption("--confidence"))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    t.dirName() + " is a regression task: the entropy and confidence policies do not apply");
        }
        if (!t.isRegression() && given.hasMatchedOption("--regression-threshold")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--regression-threshold applies to regression tasks (STS-B) only, not " + t.dirName());
        }
    }

    private List<ExitPolicy> policies(GlueTask t, int layers) {
        String kList = k != null ? k : IntStream.rangeClosed(1, layers).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Float thr = t.isRegression() ? regressionThreshold : null;
        List<ExitPolicy> out = new ArrayList<>();
        boolean all = policy.equalsIgnoreCase("all");
        if (all || policy.equalsIgnoreCase("patience")) {
            out.addAll(ExitPolicies.parseList("patience", patience, thr));
        }
        if (all || policy.equalsIgnoreCase("fixed")) {
            out.addAll(ExitPolicies.parseList("fixed", kList, null));
        }
        if (!t.isRegression() && (all || policy.equalsIgnoreCase("entropy"))) {
            out.addAll(ExitPolicies.parseList("entropy", entropy, null));
        }
        if (!t.isRegression() && (all || policy.equalsIgnoreCase("confidence"))) {
            out.addAll(ExitPolicies.parseList("confidence", confidence, null));
        }
        if (all || policy.equalsIgnoreCase("vote")) {
            out.add(ExitPolicies.parse("vote", null));
        }
        if (out.isEmpty()) {
            // let the factory produce its one-line error for unknown names or unsupported combinations
            out.addAll(ExitPolicies.parseList(policy, "", thr));
        }
        return out;
    }

    private static void printTables(PrintWriter out, GlueTask t, Split s, TaskData data, List<Evaluation.PolicyRow> rows,
                                    List<Map<String, Double>> perLayer, int layers) {
        List<String> names = t.metricNames();
        out.printf("%s %s: %d records%s; L = %d; speed-up = L / mean exit layer (the PABEE reference code logs 1 - mean/L instead)%n%n",
                t.dirName(), s.id(), data.size(), data.skipped.isEmpty() ? "" : " (skipped " + data.skipped + ")", layers);
        out.printf("%-11s %-22s %s %10s %8s%n", "policy", "setting",
                names.stream().map(n -> String.format("%9s", n)).collect(Collectors.joining(" ")), "mean exit", "speed-up");
        for (Evaluation.PolicyRow r : rows) {
            out.printf("%-11s %-22s %s %10.2f %7.2fx%n", r.policy(), r.setting(),
                    names.stream().map(n -> String.format("%9.4f", r.metrics().get(n))).collect(Collectors.joining(" ")),
                    r.meanExitLayer(), r.speedup());
        }
        out.printf("%nPABEE vs the baselines at the same speed-up (baseline curves interpolated linearly between settings):%n");
        out.printf("%-22s %8s %9s %9s %9s %11s%n", "setting", "speed-up", "pabee", "entropy", "confidence", "layer-L head");
        double lastLayer = perLayer.get(perLayer.size() - 1).get(t.mainMetric());
        for (Evaluation.PolicyRow r : rows) {
            if (r.policy().equals("patience")) {
                out.printf("%-22s %7.2fx %9.4f %9s %9s %11.4f%n", r.setting(), r.speedup(), r.score(),
                        fmt(Evaluation.scoreAt(rows, "entropy", r.speedup())),
                        fmt(Evaluation.scoreAt(rows, "confidence", r.speedup())), lastLayer);
            }
        }
        out.printf("%nper-layer heads (the overthinking curve):%n%-6s %s%n", "layer",
                names.stream().map(n -> String.format("%9s", n)).collect(Collectors.joining(" ")));
        for (int l = 0; l < perLayer.size(); l++) {
            Map<String, Double> m = perLayer.get(l);
            out.printf("%-6d %s%n", l + 1, names.stream().map(n -> String.format("%9.4f", m.get(n))).collect(Collectors.joining(" ")));
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.4f", v);
    }

    private static void writeCsv(Path file, List<Evaluation.PolicyRow> rows) throws Exception {
        try (CsvWriter w = CsvWriter.open(file)) {
            w.row("task", "split", "policy", "setting", "metric", "score", "metrics", "mean_exit_layer", "speedup", "exit_histogram");
            for (Evaluation.PolicyRow r : rows) {
                w.row(r.task(), r.split(), r.policy(), r.setting(), r.metric(), r.score(), r.metrics().toString(),
                        r.meanExitLayer(), r.speedup(), IntStream.range(1, r.exitHistogram().length)
                                .mapToObj(i -> Integer.toString(r.exitHistogram()[i])).collect(Collectors.joining(" ")));
            }
        }
    }

    private static void writeLayersCsv(Path file, GlueTask t, List<Map<String, Double>> perLayer) throws Exception {
        try (CsvWriter w = CsvWriter.open(file)) {
            List<Object> header = new ArrayList<>(List.of("layer"));
            header.addAll(t.metricNames());
            w.row(header);
            for (int l = 0; l < perLayer.size(); l++) {
                List<Object> row = new ArrayList<>(List.of(l + 1));
                for (String n : t.metricNames()) {
                    row.add(perLayer.get(l).get(n));
                }
                w.row(row);
            }
        }
    }

    private static void writeSvg(Path file, GlueTask t, Split s, List<Evaluation.PolicyRow> rows,
                                 List<Map<String, Double>> perLayer, int layers) throws Exception {
        SvgChart chart = new SvgChart(t.dirName() + " " + s.id() + ": " + t.mainMetric() + " vs speed-up",
                "speed-up (L / mean exit layer)", t.mainMetric());
        Map<String, List<SvgChart.Point>> series = new LinkedHashMap<>();
        for (Evaluation.PolicyRow r : rows) {
            if (!r.policy().equals("fixed")) {
                series.computeIfAbsent(r.policy(), x -> new ArrayList<>()).add(new SvgChart.Point(r.speedup(), r.score()));
            }
        }
        List<SvgChart.Point> layerPts = new ArrayList<>();
        for (int l = 0; l < perLayer.size(); l++) {
            layerPts.add(new SvgChart.Point((double) layers / (l + 1), perLayer.get(l).get(t.mainMetric())));
        }
        series.put("layer-k head", layerPts);
        for (Map.Entry<String, List<SvgChart.Point>> e : series.entrySet()) {
            List<SvgChart.Point> pts = new ArrayList<>(e.getValue());
            pts.sort(java.util.Comparator.comparingDouble(SvgChart.Point::x));
            chart.series(e.getKey(), pts);
        }
        chart.write(file);
    }
}
