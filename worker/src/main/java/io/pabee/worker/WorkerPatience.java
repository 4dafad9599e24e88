package io.pabee.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.adaptive.AdaptiveSettings;
import io.pabee.adaptive.PatienceProfile;
import io.pabee.stage.LayerModel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a worker process's adaptive patience from its settings and the model directory's profile. */
public final class WorkerPatience {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPatience.class);

    private WorkerPatience() {
    }

    /** The adaptive patience {@code cfg} asks for; the caller sets its backlog source, starts and closes it. */
    public static AdaptivePatience of(WorkerConfig cfg, LayerModel model, MeterRegistry metrics) {
        PatienceProfile profile = null;
        try {
            profile = PatienceProfile.read(Path.of(cfg.getString(WorkerConfig.MODEL_DIR_CONFIG)),
                    cfg.getString(WorkerConfig.TASK_CONFIG)).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("ignoring the patience profile: {}", e.getMessage());
        }
        return new AdaptivePatience("worker", AdaptiveSettings.from(cfg.values()), cfg.getInt(WorkerConfig.PATIENCE_CONFIG),
                model.numLayers(), profile, metrics);
    }
}
