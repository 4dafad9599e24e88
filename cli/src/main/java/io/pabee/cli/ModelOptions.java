package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.prepare.BaseModel;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by every command that loads a prepared model; each command honours all of them or rejects one. */
final class ModelOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--base", defaultValue = CommonConfigs.DEFAULT_BASE,
            description = "Base encoder: bge-small-en-v15 (default), bge-small-en-v15-q, all-minilm-l6-v2.")
    String base;

    @Option(names = "--model-dir", description = "Prepared model directory (default: the task's fine-tuned model "
            + "$PABEE_HOME/<base>-<task> where its adapters ship, else the frozen $PABEE_HOME/<base>; train-heads: the frozen one; "
            + "prepared on first use).")
    Path modelDir;

    @Option(names = "--device", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or cuda:<id> (falls back to cpu, logged). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = all cores).")
    int threads;

    @Option(names = "--max-length", description = "Truncate inputs to this many tokens (default: the manifest's, 128).")
    Integer maxLength;

    /** Fails fast, before any model loads, on a bad base name, device, thread count or length. */
    void validate() {
        baseModel();
        executionDevice();
        if (threads < 0) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--threads must be >= 0 (0 = all cores), got " + threads);
        }
        if (maxLength != null && (maxLength < 3 || maxLength > 512)) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--max-length must be in 3..512, got " + maxLength);
        }
    }

    /** Rejects {@code --device} other than cpu where the command runs on CPU only. */
    void requireCpu(String why) {
        validate();
        if (executionDevice().cuda()) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--device " + device + " is not used here: " + why);
        }
    }

    BaseModel baseModel() {
        return BaseModel.parse(base);
    }

    /** {@code --model-dir}, else the frozen encoder {@code $PABEE_HOME/<base>}. */
    Path dir() {
        return modelDir != null ? modelDir : Paths.modelsHome().resolve(baseModel().id());
    }

    /** {@code --model-dir}, else the default for {@code task}: its fine-tuned model where adapters ship, else frozen. */
    Path dir(String task) {
        return modelDir != null ? modelDir : PreparedModels.defaultDir(baseModel(), task);
    }

    /** The model for {@code task} ({@link #dir(String)}), prepared first when it is a missing default. */
    ModelDirectory open(String task, java.util.function.Consumer<String> progress) throws java.io.IOException {
        return PreparedModels.ensure(dir(task), progress);
    }

    ExecutionDevice executionDevice() {
        return ExecutionDevice.parse(device);
    }

    /** The truncation length: {@code --max-length}, else the model's manifest. */
    int maxLength(ModelDirectory dir) {
        return maxLength != null ? maxLength : dir.manifest().maxSequenceLength;
    }

    /** Encoder options for every stage on {@code --device} with {@code --threads}. */
    StagedEncoder.Options encoder() {
        return new StagedEncoder.Options(executionDevice(), threads, false, 0, Integer.MAX_VALUE);
    }
}
