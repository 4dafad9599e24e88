package io.pabee.patience;

import java.util.List;

/** The final answer for a record: label index and probabilities, or a regression score. */
public record Prediction(int label, float[] probabilities, float score) {

    public static Prediction of(HeadOutput out) {
        return out.isRegression()
                ? new Prediction(-1, null, out.score())
                : new Prediction(out.argmax(), out.probabilities(), Float.NaN);
    }

    /** The label's name in {@code labels}, or null for regression or an index outside the list. */
    public String labelName(List<String> labels) {
        return label >= 0 && label < labels.size() ? labels.get(label) : null;
    }
}
