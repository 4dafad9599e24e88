package io.pabee.patience;

/**
 * DeeBERT (Xin et al., ACL 2020): exit at the first layer whose class distribution has entropy
 * (nats) strictly below {@code threshold}. Classification only: observing a regression head throws
 * {@link IllegalArgumentException}, because a score has no entropy and silently running full depth
 * would be reported as an early-exit result.
 */
public final class EntropyPolicy implements ExitPolicy {
    private final float threshold;

    public EntropyPolicy(float threshold) {
        if (!(threshold >= 0f) || Float.isInfinite(threshold)) {
            throw new IllegalArgumentException("entropy threshold must be a finite number >= 0, got " + threshold);
        }
        this.threshold = threshold;
    }

    public float threshold() {
        return threshold;
    }

    @Override
    public String name() {
        return "entropy";
    }

    @Override
    public String setting() {
        return "entropy<" + threshold;
    }

    @Override
    public boolean observe(ExitState state, int layer, int numLayers, HeadOutput out) {
        if (out.isRegression()) {
            throw new IllegalArgumentException(
                    "entropy policy needs class probabilities; for a regression head use patience with a threshold");
        }
        state.layersSeen = layer;
        return layer >= numLayers || Probabilities.entropy(out.probabilities()) < threshold;
    }
}
