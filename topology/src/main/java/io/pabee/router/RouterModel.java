package io.pabee.router;

import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.PatiencePolicy;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import java.nio.file.Path;

/** What one router task needs of the model: tokenizer, stages 0..K, the task's heads, the exit policy. */
public final class RouterModel implements AutoCloseable {
    final ModelDirectory dir;
    final HeadSet heads;
    final TextTokenizer tokenizer;
    final StagedEncoder encoder;
    final EarlyExitRunner runner;
    final int routerLayers;
    final int defaultPatience;
    final float regressionThreshold;
    final boolean fp16;
    final String modelVersion;

    public RouterModel(RouterConfig cfg) {
        this.dir = ModelDirectory.open(Path.of(cfg.getString(RouterConfig.MODEL_DIR_CONFIG)));
        this.heads = HeadSet.read(dir.heads(cfg.getString(RouterConfig.TASK_CONFIG)));
        this.routerLayers = Math.min(cfg.getInt(RouterConfig.ROUTER_LAYERS_CONFIG), dir.numLayers());
        this.tokenizer = new TextTokenizer(dir.tokenizer(), cfg.getInt(RouterConfig.MAX_LENGTH_CONFIG));
        // the router never runs past layer K, so deeper stages are not loaded
        this.encoder = new StagedEncoder(dir, new StagedEncoder.Options(ExecutionDevice.CPU,
                cfg.getInt(RouterConfig.THREADS_CONFIG), false, 0, routerLayers));
        this.runner = new EarlyExitRunner(encoder, heads::apply, cfg.getInt(RouterConfig.STAGE_BATCH_CONFIG));
        this.defaultPatience = cfg.getInt(RouterConfig.PATIENCE_CONFIG);
        this.regressionThreshold = cfg.getDouble(RouterConfig.REGRESSION_THRESHOLD_CONFIG).floatValue();
        this.fp16 = cfg.getString(RouterConfig.HIDDEN_ENCODING_CONFIG).equals("fp16");
        this.modelVersion = dir.version(heads.task());
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The runner over stages 0..K, for in-process comparisons with the streaming router. */
    public EarlyExitRunner runner() {
        return runner;
    }

    public int numLayers() {
        return dir.numLayers();
    }

    public int routerLayers() {
        return routerLayers;
    }

    public String task() {
        return heads.task();
    }

    public String modelVersion() {
        return modelVersion;
    }

    /** The exit policy of a record: PABEE with the event's patience, or the configured default. */
    public ExitPolicy policy(Integer patience) {
        int p = patience != null ? patience : defaultPatience;
        return heads.regression() ? new PatiencePolicy(p, regressionThreshold) : new PatiencePolicy(p);
    }

    @Override
    public void close() {
        encoder.close();
        tokenizer.close();
    }
}
