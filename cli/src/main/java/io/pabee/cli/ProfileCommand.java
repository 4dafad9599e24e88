package io.pabee.cli;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.evaluate.PatienceProfiler;
import io.pabee.export.TunedAdapters;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.Sha256;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee models profile}: the task metric and mean layers per record at each patience on dev, written beside
 * the task's heads as the table the adaptive patience controller reads ({@link PatienceProfile}). Refusals are one
 * line (exit 2) before anything is encoded.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        header = "Measure the task metric and mean layers run at patience 0 (full depth) and 1..L-2 on dev; "
                + "write heads/<task>.patience.json for the adaptive controller.")
final class ProfileCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--task", required = true, description = "SST-2, MRPC, RTE, CoLA or STS-B.")
    String task;

    @Option(names = "--split", defaultValue = "dev",
            description = "dev (default and only choice: test is held out, train fitted the heads).")
    String split;

    @Mixin
    GlueOptions glue;

    @Option(names = "--regression-threshold", defaultValue = "0.5",
            description = "Regression tasks (STS-B): a layer counts as unchanged when |score change| < this; use the "
                    + "router's pabee.exit.regression.threshold (default ${DEFAULT-VALUE}).")
    float regressionThreshold;

    @Option(names = "--export", description = "Also write the profile as <task>.patience.json into this fine-tuned adapter "
            + "set (a folder with tuned.json, beside its heads.json: `models prepare --tuned` installs it) or folder of "
            + "shipped heads (beside <task>.json, e.g. tools/src/main/resources/heads/<base>: `models prepare` installs it).")
    Path export;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.validate();
        Split s = Split.parse(split);
        if (s == Split.TEST) {
            throw new IllegalArgumentException("--split test is held out: the adaptive controller chooses patience "
                    + "with this table, so it is made on dev");
        }
        if (s != Split.DEV) {
            throw new IllegalArgumentException("--split " + s.id() + ": the heads were fitted on train, so it would "
                    + "overstate the metric; profile on dev");
        }
        if (!t.isRegression() && spec.commandLine().getParseResult().hasMatchedOption("--regression-threshold")) {
            throw new IllegalArgumentException("--regression-threshold applies to regression tasks (STS-B) only, not "
                    + t.dirName());
        }
        Path exported = export == null ? null : exportFile(t, model.open(t.dirName(), msg -> { }));
        PrintWriter out = spec.commandLine().getOut();
        HeadTraces.Traced traced = HeadTraces.of(model, glue, t, s, spec.commandLine().getErr());
        ModelDirectory dir = traced.dir();
        PatienceProfile profile = PatienceProfiler.measure(t, s, traced.outputs(), traced.data().examples,
                regressionThreshold, new PatienceProfiler.Provenance(dir.version(t.dirName()), Invocation.of(spec)));
        Path file = PatienceProfile.file(dir.path(), t.dirName());
        profile.write(file);
        if (exported != null) {
            profile.write(exported);
        }
        print(out, profile);
        out.printf("wrote %s%s%n", file, exported != null ? " and " + exported : "");
        out.flush();
        return 0;
    }

    /**
     * Where {@code --export} puts the profile: beside the heads.json of a fine-tuned adapter set, or beside
     * {@code <task>.json} in a folder of shipped heads. The profile describes the model's heads, so it is refused
     * (one line, before anything is encoded) for a folder whose heads are not the model's.
     */
    private Path exportFile(GlueTask t, ModelDirectory dir) throws IOException {
        String task = t.dirName();
        Path heads;
        Path target;
        if (TunedAdapters.isAdapterSet(export)) {
            String setTask = TunedAdapters.descriptor(export).task;
            if (!task.equals(setTask)) {
                throw new IllegalArgumentException("--export " + export + " holds " + setTask + " adapters, not " + task);
            }
            heads = export.resolve(TunedAdapters.HEADS);
            target = TunedAdapters.profile(export, task);
        } else if (Files.isRegularFile(export.resolve(task + ".json"))) {
            heads = export.resolve(task + ".json");
            target = export.resolve(task + PatienceProfile.SUFFIX);
        } else {
            throw new IllegalArgumentException("--export " + export + " is neither a fine-tuned adapter set (no "
                    + TunedAdapters.DESCRIPTOR + ") nor a heads folder with " + task + ".json");
        }
        String modelHeads = dir.manifest().sha256.get(dir.manifest().heads.get(task).file);
        if (!Sha256.of(heads).equals(modelHeads)) {
            throw new IllegalArgumentException("the " + task + " heads of " + dir.path() + " are not " + heads
                    + ": profile the model those heads belong to");
        }
        return target;
    }

    private static void print(PrintWriter out, PatienceProfile p) {
        out.printf("%s %s: %d records, L = %d, %s, model %s%n", p.task(), p.split(), p.records(), p.numLayers(),
                p.metric(), p.modelVersion());
        out.printf("%-9s %9s %12s %9s%n", "patience", p.metric(), "mean layers", "speed-up");
        for (PatienceProfile.Row r : p.rows()) {
            out.printf("%-9s %9.4f %12.2f %8.2fx%n", r.patience() == 0 ? "0 (full)" : Integer.toString(r.patience()),
                    r.metric(), r.meanLayers(), r.speedup(p.numLayers()));
        }
    }
}
