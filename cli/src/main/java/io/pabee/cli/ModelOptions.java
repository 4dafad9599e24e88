package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.prepare.BaseModel;
import io.pabee.stage.ExecutionDevice;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by every command that loads a prepared model. */
final class ModelOptions {
    @Option(names = "--base", defaultValue = CommonConfigs.DEFAULT_BASE,
            description = "Base encoder: bge-small-en-v15 (default), bge-small-en-v15-q, all-minilm-l6-v2.")
    String base;

    @Option(names = "--model-dir", description = "Prepared model directory (default: $PABEE_HOME/<base>, i.e. models/prepared/<base>).")
    Path modelDir;

    @Option(names = "--device", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or cuda:<id> (falls back to cpu, logged). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = all cores).")
    int threads;

    @Option(names = "--max-length", description = "Truncate inputs to this many tokens (default: the manifest's, 128).")
    Integer maxLength;

    /** Fails fast, before any model loads, on a bad base name or device. */
    void validate() {
        baseModel();
        executionDevice();
    }

    BaseModel baseModel() {
        return BaseModel.parse(base);
    }

    Path dir() {
        return modelDir != null ? modelDir : Paths.modelsHome().resolve(baseModel().id());
    }

    ExecutionDevice executionDevice() {
        return ExecutionDevice.parse(device);
    }
}
