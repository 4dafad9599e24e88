package io.pabee.patience;

/** Pure functions over logits and probability vectors used by the exit policies. */
public final class Probabilities {

    private Probabilities() {
    }

    /**
     * Softmax of {@code logits}. The maximum logit is subtracted first so that large logits do not
     * overflow {@code exp}; sums are kept in double so that long vectors do not lose precision.
     */
    public static float[] softmax(float[] logits) {
        requireNonEmpty(logits, "logits");
        float max = logits[0];
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp((double) logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /**
     * Shannon entropy of {@code p} in nats, with 0·log 0 taken as 0. Returned as float so that a
     * threshold set to an entropy value compares exactly with what the entropy policy computes.
     */
    public static float entropy(float[] p) {
        requireNonEmpty(p, "probabilities");
        double h = 0;
        for (float x : p) {
            if (x > 0f) {
                h -= x * Math.log(x);
            }
        }
        return (float) h;
    }

    /** The largest element of {@code p}. */
    public static float max(float[] p) {
        requireNonEmpty(p, "probabilities");
        float m = p[0];
        for (float x : p) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static void requireNonEmpty(float[] v, String what) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(what + " must be a non-empty array");
        }
    }
}
