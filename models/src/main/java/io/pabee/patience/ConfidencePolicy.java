package io.pabee.patience;

/**
 * Schwartz et al. (ACL 2020): exit at the first layer whose largest class probability is at least
 * {@code threshold}. Classification only: observing a regression head throws
 * {@link IllegalArgumentException}, for the same reason as {@link EntropyPolicy}.
 */
public final class ConfidencePolicy implements ExitPolicy {
    private final float threshold;

    public ConfidencePolicy(float threshold) {
        if (!(threshold >= 0f && threshold <= 1f)) {
            throw new IllegalArgumentException("confidence threshold must be in [0, 1], got " + threshold);
        }
        this.threshold = threshold;
    }

    public float threshold() {
        return threshold;
    }

    @Override
    public String name() {
        return "confidence";
    }

    @Override
    public String setting() {
        return "confidence>=" + threshold;
    }

    @Override
    public boolean observe(ExitState state, int layer, int numLayers, HeadOutput out) {
        if (out.isRegression()) {
            throw new IllegalArgumentException(
                    "confidence policy needs class probabilities; for a regression head use patience with a threshold");
        }
        state.layersSeen = layer;
        return layer >= numLayers || Probabilities.max(out.probabilities()) >= threshold;
    }
}
