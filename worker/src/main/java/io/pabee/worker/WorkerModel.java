package io.pabee.worker;

import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.stage.StagedEncoder;
import java.nio.file.Path;

/** Loads the workers' model once per process: stages 1..L on the configured device and the task's heads. */
public final class WorkerModel {
    private WorkerModel() {
    }

    /** The model {@code cfg} names, shared by every worker of the process; the caller closes it after them. */
    public static OnnxLayerModel load(WorkerConfig cfg) {
        ModelDirectory dir = ModelDirectory.open(Path.of(cfg.getString(WorkerConfig.MODEL_DIR_CONFIG)));
        // continuations arrive already embedded, so stage 0 is not loaded
        StagedEncoder.Options opts = new StagedEncoder.Options(ExecutionDevice.parse(cfg.getString(WorkerConfig.DEVICE_CONFIG)),
                cfg.getInt(WorkerConfig.THREADS_CONFIG), false, 1, Integer.MAX_VALUE);
        // a worker never tokenizes (continuations arrive as hidden states): the length limit is moot
        return OnnxLayerModel.load(dir, cfg.getString(WorkerConfig.TASK_CONFIG), opts, 512);
    }
}
