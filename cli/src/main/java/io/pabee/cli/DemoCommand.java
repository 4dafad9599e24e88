package io.pabee.cli;

import io.pabee.bench.ExitSummary;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.stage.ModelDirectory;
import io.pabee.broker.EmbeddedBroker;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() throws Exception {
        model.validate();
        if (input != null && glueDir != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input and --glue-dir exclude each other: give one source of texts");
        }
        if (glueDir == null && spec.commandLine().getParseResult().hasMatchedOption("--split")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split applies to --glue-dir data only");
        }
        GlueTask t = GlueTask.parse(task);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelDirectory dir = model.open(t.dirName(), m -> err.println("prepare: " + m));
        List<TextEvents.Item> items = items(t);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no texts to classify");
        }
        long started = System.nanoTime();
        err.println("demo: starting an embedded Kafka broker (KRaft)...");
        Map<String, TextEvents.Item> byId = new HashMap<>();
        items.forEach(i -> byId.put(i.id(), i));
        int[] answered = new int[1];
        try (EmbeddedBroker kafka = LocalBroker.embedded();
             LocalPipeline pipeline = new LocalPipeline(kafka, LocalPipeline.Settings.of(model, dir.path(), model.maxLength(dir),
                     t.dirName(), routerLayers, patience, workers, hiddenEncoding), "", "pabee-")) {
            err.printf("demo: router (layers 1..%d on CPU), %d worker(s), analytics running; streaming %d texts from %s to %s%n",
                    routerLayers, workers, items.size(), pipeline.config().inputTopic(), pipeline.config().resultsTopic());
            Map<String, Classification> live = new HashMap<>();
            LocalPipeline.Run run = pipeline.run(items, c -> {
                live.put(c.getId(), c);
                if (!quiet) {
                    TextEvents.Item it = byId.get(c.getId());
                    out.printf("%-12s %-9s p=%.2f exit layer %2d at %-6s %s%n", c.getId(),
                            c.getLabel() != null ? c.getLabel() : String.format("%.2f", c.getScore()),
                            c.getProbabilities().isEmpty() ? 0f : c.getProbabilities().get(Math.max(0, c.getLabelIndex())),
                            c.getExitLayer(), c.getExitedAt().name().toLowerCase(), abbreviate(it == null ? "" : it.text()));
                    out.flush();
                }
                if (++answered[0] % Math.max(50, items.size() / 10) == 0) {
                    err.printf("demo: %d/%d answered; exits by layer %s%n", answered[0], items.size(),
                            Arrays.toString(ResultSummaries.of(live.values(), byId, dir.numLayers()).histogram()));
                }
            }, d -> {
                if (!quiet) {
                    out.printf("%-12s REJECTED  %s: %s%n", d.getId(), d.getReason(), d.getDetail());
                }
            });
            printSummary(out, items.size(), ResultSummaries.of(run.results().values(), byId, dir.numLayers()), run.dead().size(),
                    dir.numLayers(), run.seconds());
            err.printf("demo: done in %.1f s; shutting everything down%n", (System.nanoTime() - started) / 1e9);
            return run.results().size() + run.dead().size() == items.size() ? 0 : 1;
        }
    }

    private List<TextEvents.Item> items(GlueTask t) throws Exception {
        List<TextEvents.Item> out = new ArrayList<>();
        if (glueDir != null) {
            out.addAll(TextEvents.items("", GlueReader.read(glueDir, t, Split.parse(split))));
        } else {
            InputStream in = input == null ? getClass().getClassLoader().getResourceAsStream("samples/sst2-samples.txt")
                    : input.equals("-") ? System.in : Files.newInputStream(Path.of(input));
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        out.add(new TextEvents.Item("text-" + (n++), line.strip(), null, -1));
                    }
                }
            }
        }
        return limit != null && limit < out.size() ? out.subList(0, limit) : out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }

    private static void printSummary(PrintWriter out, int records, ExitSummary s, int dead, int layers, double seconds) {
        long[] h = s.histogram();
        out.println();
        out.println("summary");
        out.printf("  records           %d (%d results, %d dead letters)%n", records, s.results(), dead);
        if (s.labeled() > 0) {
            out.printf("  accuracy          %.4f (%d of %d labeled)%n", s.accuracy(), s.correct(), s.labeled());
        }
        out.printf("  mean exit layer   %.2f of %d; speed-up (L / mean exit layer) %.2fx%n", s.meanExitLayer(), layers, s.speedup());
        out.printf("  exited at router  %d, at workers %d%n", s.exitedAtRouter(), s.results() - s.exitedAtRouter());
        out.printf("  records/s         %.1f (first input to last result, %.1f s)%n", s.results() / seconds, seconds);
        out.printf("  latency           p50 %d ms, p99 %d ms (event time to exit)%n", s.latencyP50Ms(), s.latencyP99Ms());
        out.println("  exit histogram");
        long max = Arrays.stream(h).max().orElse(1);
        for (int l = 0; l < h.length; l++) {
            out.printf("    layer %2d %5d %s%n", l + 1, h[l], "#".repeat((int) Math.round(40.0 * h[l] / Math.max(1, max))));
        }
        out.flush();
    }
}
