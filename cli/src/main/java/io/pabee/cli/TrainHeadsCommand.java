package io.pabee.cli;

import io.pabee.evaluate.Evaluation;
import io.pabee.features.LayerFeatures;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.headtrain.HeadTrainer;
import io.pabee.headtrain.HeadsInstaller;
import io.pabee.patience.HeadOutput;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee models train-heads}: fit one head per layer on a GLUE task's train split; report dev metrics. */
@Command(name = "train-heads", mixinStandardHelpOptions = true,
        header = "Fit per-layer heads on the train split (frozen encoder), record per-layer dev metrics.")
final class TrainHeadsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--task", required = true, description = "SST-2, MRPC, RTE, CoLA or STS-B.")
    String task;

    @Mixin
    GlueOptions glue;

    @Option(names = "--held-out", defaultValue = "0.1",
            description = "Fraction of TRAIN held out to choose the regularization (default ${DEFAULT-VALUE}); dev and test are never used for choices.")
    double heldOut;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the held-out slice.")
    long seed;

    @Option(names = "--export", description = "Also copy the heads file here (e.g. tools/src/main/resources/heads/<base> to ship it).")
    Path export;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelDirectory dir = PreparedModels.ensure(model.dir(), msg -> err.println("prepare: " + msg));
        int maxLength = model.maxLength(dir);
        Path glueDir = glue.dir();
        Path cache = Paths.root().resolve("models/cache");

        TaskData train;
        TaskData dev;
        LayerFeatures trainF;
        LayerFeatures devF;
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), maxLength);
             StagedEncoder enc = new StagedEncoder(dir, model.encoder())) {
            train = TaskData.load(glueDir, t, Split.TRAIN, tok);
            dev = TaskData.load(glueDir, t, Split.DEV, tok);
            try (ProgressBar bar = Progress.bar(err, "encode train", train.size())) {
                trainF = train.features(dir, enc, maxLength, cache, bar::stepTo);
            }
            try (ProgressBar bar = Progress.bar(err, "encode dev", dev.size())) {
                devF = dev.features(dir, enc, maxLength, cache, bar::stepTo);
            }
        }

        HeadTrainer trainer = new HeadTrainer(heldOut, seed, Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        HeadTrainer.Trained trained;
        try (ProgressBar bar = Progress.bar(err, "fit heads", dir.numLayers())) {
            // layers finish on several threads; step() is thread-safe
            trained = t.isRegression()
                    ? trainer.regression(trainF::layer, dir.numLayers(), train.size(), dir.hidden(), train.scores(), l -> bar.step())
                    : trainer.classification(trainF::layer, dir.numLayers(), train.size(), dir.hidden(), train.labels(),
                            t.numLabels(), l -> bar.step());
        }
        double secs = (System.nanoTime() - t0) / 1e9;

        HeadSet heads = new HeadSet(t.dirName(), t.isRegression() ? "regression" : "classification", t.labelNames(),
                dir.hidden(), trained.heads(), List.of(), trained.info());
        HeadOutput[][] devOut = Evaluation.headOutputs(devF, (l, d, off) -> heads.heads().get(l - 1).apply(d, off));
        List<Map<String, Double>> perLayer = Evaluation.perLayer(t, devOut, dev.examples);
        HeadSet withDev = heads.withDevMetrics(perLayer);
        Path installed = HeadsInstaller.install(dir.path(), withDev);
        if (export != null) {
            Files.createDirectories(export);
            withDev.write(export.resolve(t.dirName() + ".json"));
        }

        out.printf("%s: fitted %d heads on %d train records in %.1f s (held-out slice %.0f%% of train, seed %d)%n",
                t.dirName(), dir.numLayers(), train.size(), secs, heldOut * 100, seed);
        out.printf("%-6s %-10s %s%n", "layer", "chosen", "dev " + String.join(" / ", t.metricNames()));
        @SuppressWarnings("unchecked")
        List<Double> chosen = (List<Double>) trained.info().values().stream()
                .filter(v -> v instanceof List).findFirst().orElse(List.of());
        for (int l = 0; l < perLayer.size(); l++) {
            Map<String, Double> m = perLayer.get(l);
            out.printf("%-6d %-10s %s%n", l + 1, l < chosen.size() ? chosen.get(l) : "",
                    String.join(" / ", t.metricNames().stream().map(n -> String.format("%.4f", m.get(n))).toList()));
        }
        out.printf("installed %s%s%n", installed, export != null ? " and exported to " + export : "");
        return 0;
    }
}
