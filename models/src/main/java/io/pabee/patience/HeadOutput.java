package io.pabee.patience;

/**
 * One internal classifier's output for one record at one layer: class probabilities for
 * classification, or a single score for regression (then {@code probabilities} is null).
 */
public record HeadOutput(float[] probabilities, float score) {

    /** A classification output. */
    public static HeadOutput classification(float[] probabilities) {
        return new HeadOutput(probabilities, Float.NaN);
    }

    /** A regression output. */
    public static HeadOutput regression(float score) {
        return new HeadOutput(null, score);
    }

    public boolean isRegression() {
        return probabilities == null;
    }

    /** Index of the largest probability; ties go to the lowest index, so the choice is deterministic. */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }
}
