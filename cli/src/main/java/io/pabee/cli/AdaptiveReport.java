package io.pabee.cli;

import io.pabee.evaluate.SvgChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code bench adaptive}'s outputs: the table, and with {@code --report} report.md, samples.csv and the plots over time. */
final class AdaptiveReport {
    static final String SAMPLES = "samples.csv";
    static final String BACKLOG_SVG = "backlog.svg";
    static final String PATIENCE_SVG = "patience.svg";
    static final String LATENCY_SVG = "latency-p99.svg";

    private AdaptiveReport() {
    }

    /** One line per run: exactly-once, backlog, latency, accuracy, degraded share, patience and its return. */
    static void table(PrintWriter o, List<Map<String, Object>> rows) {
        o.println("| run | produced | results | dead | lost | dup | max backlog | p50 ms | p99 ms | settling s | p50/p99 after ms "
                + "| accuracy | accuracy (common) | degraded | mean patience | shadow agreement | patience back after s |");
        o.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> r : rows) {
            o.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s | %s (%s) | %s | %s | %s (%s) | %s |%n",
                    r.get("run"), r.get("produced"), r.get("results"), r.get("dead_letters"), r.get("lost"), r.get("duplicates"),
                    r.get("max_backlog"), r.get("latency_p50_ms"), r.get("latency_p99_ms"),
                    r.get("settling_s") == null ? "never" : r.get("settling_s"), fmt(r.get("latency_p50_after_ms"), "%d"),
                    fmt(r.get("latency_p99_after_ms"), "%d"), fmt(r.get("accuracy"), "%.4f"),
                    fmt(r.get("accuracy_common"), "%.4f"), r.get("common_records"), fmt(r.get("degraded_share"), "%.3f"),
                    fmt(r.get("mean_patience_used"), "%.2f"), fmt(r.get("shadow_agreement"), "%.4f"), r.get("shadow_count"),
                    fmt(r.get("patience_return_s"), "%.0f"));
        }
    }

    /** report.md (settings, the table, the plots), samples.csv (one line per run and second) and three SVG plots. */
    static void write(Path dir, List<Map<String, Object>> rows, List<PacedLoad.Run> runs, String settings) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("run,second,phase,produced,answered,backlog,results,latency_p50_ms,latency_p99_ms,"
                + "mean_patience_used,degraded,planned_patience,worker_planned_patience\n");
        for (PacedLoad.Run run : runs) {
            for (PacedLoad.Second s : run.seconds()) {
                csv.append(String.join(",", run.name(), Integer.toString(s.second() + 1), s.phase(), Long.toString(s.produced()),
                        Long.toString(s.answered()), Long.toString(s.backlog()), Integer.toString(s.results()), show(s.p50Ms()),
                        show(s.p99Ms()), show(s.meanPatience()), Integer.toString(s.degraded()), show(s.plannedPatience()),
                        show(s.workerPlannedPatience()))).append('\n');
            }
        }
        Files.writeString(dir.resolve(SAMPLES), csv);
        chart("Backlog (produced - answered)", "backlog", runs, s -> (double) s.backlog(), false).write(dir.resolve(BACKLOG_SVG));
        chart("Effective patience", "patience", runs, PacedLoad.Second::meanPatience, true).write(dir.resolve(PATIENCE_SVG));
        chart("p99 latency of the results of each second", "ms", runs, s -> s.p99Ms() == null ? null : (double) s.p99Ms(), false)
                .write(dir.resolve(LATENCY_SVG));
        StringWriter table = new StringWriter();
        try (PrintWriter o = new PrintWriter(table)) {
            table(o, rows);
        }
        String md = "# Fixed vs adaptive patience above capacity (`bench adaptive`)\n\n" + settings + "\n\n" + table + "\n"
                + comparison(rows)
                + "\nAccuracy counts every produced record (no result = wrong); 'common' = only the records both runs answered. "
                + "Degraded = results with a lowered_reason. Patience back = seconds from the end of the arrivals above capacity "
                + "until every later second's results carry the configured patience (null: never, or no patience_used in the results). "
                + "All rows are in `adaptive.jsonl`, every second of both runs in `" + SAMPLES + "`.\n\n"
                + "![backlog](" + BACKLOG_SVG + ")\n![patience](" + PATIENCE_SVG + ")\n![p99 latency](" + LATENCY_SVG + ")\n";
        Files.writeString(dir.resolve("report.md"), md);
    }

    /** The adaptive row against the fixed one in words: latency after settling, accuracy on the same records, recovery. */
    static String comparison(List<Map<String, Object>> rows) {
        Map<String, Object> f = rows.get(0);
        Map<String, Object> a = rows.get(1);
        Double fa = (Double) f.get("accuracy_common");
        Double aa = (Double) a.get("accuracy_common");
        String p99 = a.get("after_s") == null ? "latency_p99_ms" : "latency_p99_after_ms";
        return String.format("Adaptive vs fixed: p99 %s ms vs %s ms after %s (target %s ms); accuracy on the %s records both "
                        + "answered %s vs %s (%s points); %s of the adaptive results degraded; shadow agreement %s; patience back "
                        + "to %s %s after the arrivals dropped (planned patience of the router: %s, of the workers: %s).%n",
                fmt(a.get(p99), "%d"), fmt(f.get(p99), "%d"),
                a.get("after_s") == null ? "the whole run (the adaptive run never settled)" : "settling at " + a.get("after_s") + " s",
                a.get("slo_ms"), a.get("common_records"), fmt(aa, "%.4f"), fmt(fa, "%.4f"),
                aa == null || fa == null ? "–" : String.format("%+.2f", 100 * (aa - fa)), fmt(a.get("degraded_share"), "%.3f"),
                a.get("shadow_agreement") == null ? "not measured (no shadow results)"
                        : String.format("%.4f over %s shadow runs", (Double) a.get("shadow_agreement"), a.get("shadow_count")),
                a.get("patience_configured"), a.get("patience_return_s") == null ? "never" : fmt(a.get("patience_return_s"), "%.0f s"),
                a.get("planned_patience_return_s") == null ? "never" : fmt(a.get("planned_patience_return_s"), "%.0f s"),
                a.get("worker_planned_patience_return_s") == null ? "never" : fmt(a.get("worker_planned_patience_return_s"), "%.0f s"));
    }

    /** One series per run of {@code value} over its seconds; with {@code planned}, also the runs' planned-patience gauge. */
    private static SvgChart chart(String title, String y, List<PacedLoad.Run> runs, Function<PacedLoad.Second, Double> value,
                                  boolean planned) {
        SvgChart c = new SvgChart(title, "seconds", y).size(900, 420);
        for (PacedLoad.Run run : runs) {
            c.series(run.name() + (planned ? " (mean patience_used)" : ""), points(run, value));
            if (planned && run.seconds().stream().anyMatch(s -> s.plannedPatience() != null)) {
                c.series(run.name() + " (router's planned patience)", points(run, PacedLoad.Second::plannedPatience));
            }
            if (planned && run.seconds().stream().anyMatch(s -> s.workerPlannedPatience() != null)) {
                c.series(run.name() + " (workers' planned patience)", points(run, PacedLoad.Second::workerPlannedPatience));
            }
        }
        return c;
    }

    private static List<SvgChart.Point> points(PacedLoad.Run run, Function<PacedLoad.Second, Double> value) {
        List<SvgChart.Point> pts = new ArrayList<>();
        for (PacedLoad.Second s : run.seconds()) {
            Double v = value.apply(s);
            if (v != null) {
                pts.add(new SvgChart.Point(s.second() + 1, v));
            }
        }
        return pts;
    }

    private static String show(Object v) {
        return v == null ? "" : v instanceof Double d ? String.format("%.3f", d) : v.toString();
    }

    private static String fmt(Object v, String format) {
        return v == null ? "–" : String.format(format, v);
    }
}
