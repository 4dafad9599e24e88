package io.pabee.cli;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.evaluate.Evaluation;
import io.pabee.evaluate.PatienceProfiler;
import io.pabee.export.TunedAdapters;
import io.pabee.features.LayerFeatures;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.headtrain.HeadTrainer;
import io.pabee.headtrain.HeadsInstaller;
import io.pabee.labeled.LabeledFileReader;
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
import java.util.regex.Pattern;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee models train-heads}: fit one head per layer on a GLUE task's train split or on the user's own
 * labeled file (any number of classes); report dev metrics.
 */
@Command(name = "train-heads", mixinStandardHelpOptions = true,
        header = "Fit per-layer heads on the train split (frozen encoder), record per-layer dev metrics.")
final class TrainHeadsCommand implements Callable<Integer> {
    /** A user's task is scored by accuracy, whatever its number of classes. */
    private static final List<String> USER_METRICS = List.of("accuracy");
    /** The task name becomes the heads file's name, so it stays a plain file name. */
    private static final Pattern TASK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--task", description = "GLUE task: SST-2, MRPC, RTE, CoLA or STS-B.")
    String task;

    @Option(names = "--train", description = "Your own labeled training file instead of GLUE: TSV with a header (text, optional text_pair, label) or JSON lines.")
    Path trainFile;

    @Option(names = "--dev", description = "Your own labeled dev file (same format, labels from the training file), scored per layer.")
    Path devFile;

    @Option(names = "--task-name", description = "Name of your task (with --train), e.g. tickets: the heads file and pabee.task carry it.")
    String taskName;

    @Mixin
    GlueOptions glue;

    @Option(names = "--held-out", defaultValue = "0.1",
            description = "Fraction of TRAIN held out to choose the regularization (default ${DEFAULT-VALUE}); dev and test are never used for choices.")
    double heldOut;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the held-out slice.")
    long seed;

    @Option(names = "--export", description = "Also copy the heads file and its dev patience profile (<task>.patience.json) here "
            + "(e.g. tools/src/main/resources/heads/<base> to ship them); "
            + "into a fine-tuned adapter set (a folder with tuned.json) the heads replace its heads.json.")
    Path export;

    @Override
    public Integer call() throws Exception {
        model.validate();
        // the user's files are read (and refused) before any model is touched
        LabeledFileReader.Labeled userTrain = null;
        List<GlueExample> userDev = null;
        GlueTask t = null;
        if (trainFile != null || devFile != null || taskName != null) {
            if (task != null || trainFile == null || devFile == null || taskName == null) {
                throw new IllegalArgumentException("with --train give --dev and --task-name (and no --task)");
            }
            checkTaskName(taskName);
            userTrain = LabeledFileReader.readTrain(trainFile);
            userDev = LabeledFileReader.read(devFile, userTrain.labels());
        } else if (task == null) {
            throw new IllegalArgumentException("give --task (a GLUE task) or --train/--dev/--task-name (your own data)");
        } else {
            t = GlueTask.parse(task);
        }
        boolean regression = t != null && t.isRegression();
        List<String> metricNames = t != null ? t.metricNames() : USER_METRICS;

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelDirectory dir = PreparedModels.ensure(model.dir(), msg -> err.println("prepare: " + msg));
        int maxLength = model.maxLength(dir);
        Path cache = Paths.root().resolve("models/cache");

        TaskData train;
        TaskData dev;
        LayerFeatures trainF;
        LayerFeatures devF;
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), maxLength);
             StagedEncoder enc = new StagedEncoder(dir, model.encoder())) {
            if (t != null) {
                Path glueDir = glue.dir();
                train = TaskData.load(glueDir, t, Split.TRAIN, tok);
                dev = TaskData.load(glueDir, t, Split.DEV, tok);
            } else {
                train = TaskData.ofFile(taskName, Split.TRAIN.id(), trainFile, userTrain.examples(), userTrain.labels(), tok);
                dev = TaskData.ofFile(taskName, Split.DEV.id(), devFile, userDev, userTrain.labels(), tok);
            }
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
            trained = regression
                    ? trainer.regression(trainF::layer, dir.numLayers(), train.size(), dir.hidden(), train.scores(), l -> bar.step())
                    : trainer.classification(trainF::layer, dir.numLayers(), train.size(), dir.hidden(), train.labels(),
                            train.labelNames.size(), l -> bar.step());
        }
        double secs = (System.nanoTime() - t0) / 1e9;

        HeadSet heads = new HeadSet(train.task, regression ? "regression" : "classification", train.labelNames,
                dir.hidden(), trained.heads(), List.of(), trained.info());
        HeadOutput[][] devOut = Evaluation.headOutputs(devF, (l, d, off) -> heads.heads().get(l - 1).apply(d, off));
        List<Map<String, Double>> perLayer = t != null ? Evaluation.perLayer(t, devOut, dev.examples)
                : Evaluation.perLayer(metricNames, devOut, dev.examples);
        HeadSet withDev = heads.withDevMetrics(perLayer);
        Path installed = HeadsInstaller.install(dir.path(), withDev);
        // the adaptive controller's table for the new heads, measured on the dev outputs already at hand
        PatienceProfiler.Provenance provenance = new PatienceProfiler.Provenance(
                ModelDirectory.open(dir.path()).version(train.task), Invocation.of(spec));
        PatienceProfile profile = t != null
                ? PatienceProfiler.measure(t, Split.DEV, devOut, dev.examples, PatienceProfiler.DEFAULT_REGRESSION_THRESHOLD,
                        provenance)
                : PatienceProfiler.measure(train.task, dev.split, metricNames.get(0), devOut, dev.examples, provenance);
        profile.write(PatienceProfile.file(dir.path(), train.task));
        if (export != null && TunedAdapters.isAdapterSet(export)) {
            // heads refit on a tuned encoder replace the jointly trained ones of its shipped adapter set
            TunedAdapters.replaceHeads(export, withDev, "refit by train-heads on the tuned encoder (held-out "
                    + heldOut + " of train, seed " + seed + ")");
            profile.write(TunedAdapters.profile(export, train.task));
        } else if (export != null) {
            Files.createDirectories(export);
            withDev.write(export.resolve(train.task + ".json"));
            profile.write(export.resolve(train.task + PatienceProfile.SUFFIX));
        }

        out.printf("%s: fitted %d heads on %d train records in %.1f s (held-out slice %.0f%% of train, seed %d)%n",
                train.task, dir.numLayers(), train.size(), secs, heldOut * 100, seed);
        out.printf("%-6s %-10s %s%n", "layer", "chosen", "dev " + String.join(" / ", metricNames));
        @SuppressWarnings("unchecked")
        List<Double> chosen = (List<Double>) trained.info().values().stream()
                .filter(v -> v instanceof List).findFirst().orElse(List.of());
        for (int l = 0; l < perLayer.size(); l++) {
            Map<String, Double> m = perLayer.get(l);
            out.printf("%-6d %-10s %s%n", l + 1, l < chosen.size() ? chosen.get(l) : "",
                    String.join(" / ", metricNames.stream().map(n -> String.format("%.4f", m.get(n))).toList()));
        }
        out.printf("installed %s%s%n", installed, export != null ? " and exported to " + export : "");
        out.printf("patience profile on dev (patience: %s, mean layers): %s%n", profile.metric(), String.join(", ",
                profile.rows().stream().map(r -> String.format("%d: %.4f %.2f", r.patience(), r.metric(), r.meanLayers())).toList()));
        if (t == null) {
            out.printf("serve it with --set pabee.task=%s --set pabee.model.dir=%s%n", train.task, dir.path());
        }
        return 0;
    }

    /** Refuses a task name that is not a plain file name, or that is a GLUE task (whose heads it would replace). */
    static void checkTaskName(String name) {
        if (!TASK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("--task-name must be 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit"
                    + " (it names the heads file), got '" + name + "'");
        }
        boolean glueName;
        try {
            GlueTask.parse(name);
            glueName = true;
        } catch (IllegalArgumentException e) {
            glueName = false;
        }
        if (glueName) {
            throw new IllegalArgumentException("--task-name " + name + " is a GLUE task; use --task " + name
                    + " for GLUE data, or another name for your own");
        }
    }
}
