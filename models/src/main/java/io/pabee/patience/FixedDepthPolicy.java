package io.pabee.patience;

/** Baseline: every record exits at layer {@code k} (or the last layer when the model is shallower). */
public final class FixedDepthPolicy implements ExitPolicy {
    private final int k;

    public FixedDepthPolicy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("fixed depth k must be >= 1, got " + k);
        }
        this.k = k;
    }

    public int k() {
        return k;
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public String setting() {
        return "k=" + k;
    }

    @Override
    public boolean observe(ExitState state, int layer, int numLayers, HeadOutput out) {
        state.layersSeen = layer;
        return layer >= Math.min(k, numLayers);
    }
}
