package io.pabee.evaluate;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.Prediction;

/**
 * Applies an exit policy to head outputs recorded at every layer. A policy's decision depends only
 * on the per-layer head outputs, so replaying them gives the same exits as running the staged
 * encoder with that policy (a test checks this against the runtime), while the encoder runs once
 * for all policies and settings.
 */
public final class PolicyReplay {
    private PolicyReplay() {
    }

    /** Exit layer and prediction of each record. */
    public record Outcome(int[] exitLayer, Prediction[] predictions) {
        public double meanExitLayer() {
            long sum = 0;
            for (int l : exitLayer) {
                sum += l;
            }
            return exitLayer.length == 0 ? 0 : (double) sum / exitLayer.length;
        }

        public int[] labels() {
            int[] out = new int[predictions.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = predictions[i].label();
            }
            return out;
        }

        public float[] scores() {
            float[] out = new float[predictions.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = predictions[i].score();
            }
            return out;
        }
    }

    /** {@code outputs[record][layer-1]} holds every layer's head output for every record. */
    public static Outcome replay(HeadOutput[][] outputs, ExitPolicy policy) {
        int n = outputs.length;
        int[] exit = new int[n];
        Prediction[] preds = new Prediction[n];
        for (int r = 0; r < n; r++) {
            HeadOutput[] layers = outputs[r];
            ExitState s = new ExitState();
            for (int l = 1; l <= layers.length; l++) {
                if (policy.observe(s, l, layers.length, layers[l - 1])) {
                    exit[r] = l;
                    preds[r] = policy.predict(s, layers[l - 1]);
                    break;
                }
            }
            if (preds[r] == null) {
                throw new IllegalStateException("policy " + policy.setting() + " did not exit at the last layer");
            }
        }
        return new Outcome(exit, preds);
    }
}
