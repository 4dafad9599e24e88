package io.pabee.router;

import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.stage.StagedEncoder;
import java.nio.file.Path;

/** Loads the router's model once per process: tokenizer, stages 0..K (adaptive: 0..max K) on CPU and the task's heads. */
public final class RouterModel {
    private RouterModel() {
    }

    /** The model {@code cfg} names; the caller owns it and closes it after the streams instance. */
    public static OnnxLayerModel load(RouterConfig cfg) {
        ModelDirectory dir = ModelDirectory.open(Path.of(cfg.getString(RouterConfig.MODEL_DIR_CONFIG)));
        int k = Math.min(cfg.maxRouterLayers(), dir.numLayers());
        // the router never runs past layer K (with adaptive K: its upper bound), so deeper stages are not loaded
        return OnnxLayerModel.load(dir, cfg.getString(RouterConfig.TASK_CONFIG),
                new StagedEncoder.Options(ExecutionDevice.CPU, cfg.getInt(RouterConfig.THREADS_CONFIG), false, 0, k),
                cfg.getInt(RouterConfig.MAX_LENGTH_CONFIG));
    }
}
