package io.pabee.patience;

/**
 * PABEE (Zhou et al., NeurIPS 2020): exit once the prediction has stayed the same for
 * {@code patience} consecutive layers. Classification compares argmax labels; regression counts a
 * layer as "the same" when its score moved by less than {@code threshold}. Patience 0 means full depth.
 */
public final class PatiencePolicy implements ExitPolicy {
    private final int patience;
    private final float threshold;

    /**
     * Classification patience. The threshold is 0, so on a regression head no layer ever counts as
     * "the same" (|Δ| &lt; 0 is impossible) and the record runs to full depth.
     */
    public PatiencePolicy(int patience) {
        this(patience, 0f);
    }

    /** Patience with a regression threshold. */
    public PatiencePolicy(int patience, float threshold) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        if (!(threshold >= 0f)) {
            throw new IllegalArgumentException("regression threshold must be >= 0, got " + threshold);
        }
        this.patience = patience;
        this.threshold = threshold;
    }

    public int patience() {
        return patience;
    }

    public float threshold() {
        return threshold;
    }

    @Override
    public String name() {
        return "patience";
    }

    @Override
    public String setting() {
        return threshold > 0f ? "patience=" + patience + ",threshold=" + threshold : "patience=" + patience;
    }

    @Override
    public boolean observe(ExitState s, int layer, int numLayers, HeadOutput out) {
        boolean same;
        if (out.isRegression()) {
            same = s.layersSeen > 0 && Math.abs(out.score() - s.previousScore) < threshold;
            s.previousScore = out.score();
        } else {
            int label = out.argmax();
            same = s.layersSeen > 0 && label == s.previousLabel;
            s.previousLabel = label;
        }
        s.counter = same ? s.counter + 1 : 0;
        s.layersSeen = layer;
        return layer >= numLayers || (patience > 0 && s.counter >= patience);
    }
}
