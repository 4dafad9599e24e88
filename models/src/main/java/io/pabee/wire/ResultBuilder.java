package io.pabee.wire;

import io.pabee.patience.PatiencePolicy;
import io.pabee.patience.Prediction;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.stage.InFlight;
import io.pabee.stage.LayerModel;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@code Classification} result of a record that exited, at the router or in a worker. */
public final class ResultBuilder {
    private final List<String> labels;
    private final int numLayers;
    private final String modelVersion;

    public ResultBuilder(LayerModel model) {
        this(model.labels(), model.numLayers(), model.modelVersion());
    }

    /** Results of a model known only by its label names, depth and version (a monolithic model, say). */
    public ResultBuilder(List<String> labels, int numLayers, String modelVersion) {
        this.labels = List.copyOf(labels);
        this.numLayers = numLayers;
        this.modelVersion = modelVersion;
    }

    /**
     * The result of {@code r}, which exited after {@code r.layersDone} layers at {@code site};
     * {@code now} is the exit time, and the latency runs from the event time to it.
     */
    public Classification build(String id, InFlight r, ExitSite site, long eventTime, long enqueueTime, long now) {
        Prediction p = r.policy.predict(r.state, r.last);
        List<Float> probs = new ArrayList<>();
        if (p.probabilities() != null) {
            for (float f : p.probabilities()) {
                probs.add(f);
            }
        }
        return Classification.newBuilder()
                .setId(id)
                .setLabel(p.labelName(labels))
                .setLabelIndex(p.label())
                .setProbabilities(probs)
                .setScore(Float.isNaN(p.score()) ? null : p.score())
                .setExitLayer(r.layersDone)
                .setLayersRun(r.layersDone)
                .setNumLayers(numLayers)
                .setPolicy(r.policy.name())
                .setSetting(r.policy.setting())
                .setExitedAt(site)
                .setModelVersion(modelVersion)
                .setTruncated(r.truncated)
                .setEventTime(eventTime)
                .setEnqueueTime(enqueueTime)
                .setExitTime(now)
                .setLatencyMs(now - eventTime)
                .setPatienceUsed(r.policy instanceof PatiencePolicy pp ? pp.patience() : null)
                .setPatienceConfigured(r.patienceConfigured >= 0 ? r.patienceConfigured
                        : r.policy instanceof PatiencePolicy pp ? pp.patience() : null)
                .setLoweredReason(r.loweredReason)
                .setRouterLayers(r.routerLayers >= 0 ? r.routerLayers : null)
                .build();
    }
}
