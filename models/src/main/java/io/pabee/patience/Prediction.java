package io.pabee.patience;

/** The final answer for a record: label index and probabilities, or a regression score. */
public record Prediction(int label, float[] probabilities, float score) {

    public static Prediction of(HeadOutput out) {
        return out.isRegression()
                ? new Prediction(-1, null, out.score())
                : new Prediction(out.argmax(), out.probabilities(), Float.NaN);
    }
}
