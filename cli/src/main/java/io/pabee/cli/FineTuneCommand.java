package io.pabee.cli;

import io.pabee.finetune.Checkpoint;
import io.pabee.finetune.FineTuneOptions;
import io.pabee.finetune.FineTuner;
import io.pabee.finetune.ProgressListener;
import io.pabee.finetune.TaskSpec;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.export.TunedExport;
import io.pabee.labeled.LabeledFileReader;
import io.pabee.stage.ModelDirectory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee models fine-tune}: train the encoder with its per-layer heads (PABEE loss), LoRA by default. */
@Command(name = "fine-tune", mixinStandardHelpOptions = true,
        header = "Fine-tune the encoder together with one head per layer (PABEE's weighted loss) on a task's train split.")
final class FineTuneCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--task", description = "GLUE task: SST-2, MRPC, RTE, CoLA or STS-B.")
    String task;

    @Option(names = "--train", description = "Your own labeled training file instead of GLUE: TSV with a header (text, optional text_pair, label) or JSON lines.")
    Path trainFile;

    @Option(names = "--dev", description = "Your own labeled dev file (same format), scored after each epoch.")
    Path devFile;

    @Option(names = "--task-name", description = "Name of your task (with --train), e.g. tickets: the heads and the model directory carry it.")
    String taskName;

    @Option(names = "--export-dir", description = "Prepared model directory to write (default: $PABEE_HOME/<base>-<task>).")
    Path exportDir;

    @Option(names = "--ship", description = "Also copy the adapters and heads here (e.g. training/src/main/resources/tuned/<base>/<task>).")
    Path ship;

    @Mixin
    GlueOptions glue;

    @Option(names = "--base", defaultValue = "bge-small-en-v15", description = "Base encoder (default ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--model-dir", description = "Prepared base model directory (default: $PABEE_HOME/<base>).")
    Path modelDir;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs over the train split (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", description = "Peak learning rate (default 5e-4 with adapters, 2e-5 with --full).")
    Float lr;

    @Option(names = "--batch-size", defaultValue = "32", description = "Examples per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", defaultValue = "128", description = "Truncate to this many tokens (default ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--lora-rank", defaultValue = "16", description = "Rank of the LoRA adapters (default ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--full", description = "Train every encoder weight instead of adapters.")
    boolean full;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialization, data order and dropout (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many steps in all (0 = all epochs).")
    int maxSteps;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Checkpoint every N steps (default ${DEFAULT-VALUE}) and at each epoch end.")
    int checkpointEvery;

    @Option(names = "--out", description = "Run directory for checkpoints and results (default models/cache/fine-tune/<base>-<task>); a run with a checkpoint there resumes.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (trainFile != null) {
            if (task != null || taskName == null || devFile == null) {
                throw new IllegalArgumentException("with --train give --dev and --task-name (and no --task)");
            }
            LabeledFileReader.Labeled tr = LabeledFileReader.readTrain(trainFile);
            return run(TaskSpec.user(taskName, tr.labels()), tr.examples(), LabeledFileReader.read(devFile, tr.labels()));
        }
        if (task == null) {
            throw new IllegalArgumentException("give --task (a GLUE task) or --train/--dev/--task-name (your own data)");
        }
        GlueTask t = GlueTask.parse(task);
        TaskSpec spec = TaskSpec.of(t);
        Path glueDir = glue.dir();
        List<GlueExample> train = GlueReader.read(glueDir, t, Split.TRAIN);
        List<GlueExample> dev = GlueReader.read(glueDir, t, Split.DEV);
        return run(spec, train, dev);
    }

    private int run(TaskSpec taskSpec, List<GlueExample> train, List<GlueExample> dev) throws Exception {
        ModelDirectory dir = ModelDirectory.open(modelDir != null ? modelDir : Paths.modelsHome().resolve(base));
        FineTuneOptions o = new FineTuneOptions(epochs, lr != null ? lr : FineTuneOptions.defaultLr(full), batchSize,
                maxLength, loraRank, 2f * loraRank, full, seed, maxSteps, 0.1f, 0.01f, 0.1f, 1f, checkpointEvery);
        Path runDir = out != null ? out : Paths.root().resolve("models/cache/fine-tune")
                .resolve(dir.manifest().base + "-" + PreparedModels.slug(taskSpec.name()));
        PrintStream err = System.err;
        try (FineTuner tuner = new FineTuner(dir, taskSpec, train, dev, o, runDir)) {
            err.printf("fine-tune %s on %s: %d train / %d dev examples, %s, %d steps (%d per epoch), run dir %s%s%n",
                    taskSpec.name(), dir.manifest().base, train.size(), dev.size(),
                    full ? "all weights" : "LoRA rank " + loraRank, tuner.totalSteps(), tuner.batchesPerEpoch(), runDir,
                    tuner.state().step > 0 ? " (resuming at step " + tuner.state().step + ")" : "");
            Checkpoint.State s = tuner.train(new ProgressListener(err, taskSpec.mainMetric(), 50));
            err.printf("done: %d steps, %d tokens in %.0f s (%.0f tokens/s), peak RSS %s%n", s.step, s.tokens, s.seconds,
                    s.tokens / Math.max(1e-9, s.seconds), peakRss());
            if (!s.evaluations.isEmpty()) {
                @SuppressWarnings("unchecked")
                List<Map<String, Double>> last = (List<Map<String, Double>>) s.evaluations.get(s.evaluations.size() - 1).get("perLayer");
                err.printf("%s dev %s at layer %d after the last epoch: %.4f%n", taskSpec.name(), taskSpec.mainMetric(),
                        last.size(), last.get(last.size() - 1).get(taskSpec.mainMetric()));
            }
            Path target = exportDir != null ? exportDir
                    : PreparedModels.tunedDir(dir.manifest().base, taskSpec.name());
            TunedExport.Result r = TunedExport.finish(tuner, runDir.resolve("tuned"), target, msg -> err.println("export: " + msg));
            if (ship != null && r.shipped() != null) {
                java.nio.file.Files.createDirectories(ship);
                try (var files = java.nio.file.Files.list(r.shipped())) {
                    for (Path f : files.toList()) {
                        java.nio.file.Files.copy(f, ship.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            PrintWriterOut.print(spec.commandLine().getOut(), taskSpec, r);
        }
        return 0;
    }

    /** The summary on stdout: where the model went and its per-layer dev curve. */
    static final class PrintWriterOut {
        static void print(java.io.PrintWriter out, TaskSpec t, TunedExport.Result r) {
            out.printf("exported %s (tuned for %s): max |stages - monolithic| = %.3g, max |stages - DJL| = %.3g%n",
                    r.exported().dir(), t.name(), r.exported().stagesVsMonolithic(), r.exported().stagesVsDjl());
            if (r.shipped() != null) {
                out.printf("adapters + heads: %s%n", r.shipped());
            }
            for (int l = 0; l < r.devMetrics().size(); l++) {
                out.printf("layer %2d dev %s %.4f%n", l + 1, t.mainMetric(), r.devMetrics().get(l).get(t.mainMetric()));
            }
            out.flush();
        }
    }

    /** Peak resident memory of this process (VmHWM), or "?" where /proc is not there. */
    static String peakRss() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
