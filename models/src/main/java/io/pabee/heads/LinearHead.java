package io.pabee.heads;

import io.pabee.patience.HeadOutput;
import io.pabee.patience.Probabilities;

/** One layer's internal classifier: logits = W · cls + b; softmax for classification, the single output for regression. */
public final class LinearHead {
    private final float[][] weights;
    private final float[] bias;
    private final boolean regression;
    private final int hidden;

    public LinearHead(float[][] weights, float[] bias, boolean regression) {
        if (weights.length == 0 || weights.length != bias.length) {
            throw new IllegalArgumentException("head needs as many bias values as weight rows, got "
                    + weights.length + " rows and " + bias.length + " biases");
        }
        if (regression && weights.length != 1) {
            throw new IllegalArgumentException("a regression head has exactly one output, got " + weights.length);
        }
        if (!regression && weights.length < 2) {
            throw new IllegalArgumentException("a classification head needs at least two classes, got " + weights.length);
        }
        this.hidden = weights[0].length;
        for (float[] row : weights) {
            if (row.length != hidden) {
                throw new IllegalArgumentException("ragged head weights: rows of " + hidden + " and " + row.length);
            }
        }
        this.weights = weights;
        this.bias = bias;
        this.regression = regression;
    }

    public int outputs() {
        return weights.length;
    }

    public int hidden() {
        return hidden;
    }

    public boolean regression() {
        return regression;
    }

    public float[][] weights() {
        return weights;
    }

    public float[] bias() {
        return bias;
    }

    /** Raw outputs for the [CLS] vector stored at {@code data[offset .. offset + hidden)}. */
    public float[] logits(float[] data, int offset) {
        if (data.length < offset + hidden) {
            throw new IllegalArgumentException("need " + hidden + " values at offset " + offset + ", have " + data.length);
        }
        float[] z = new float[weights.length];
        for (int c = 0; c < weights.length; c++) {
            float[] w = weights[c];
            double s = bias[c];
            for (int i = 0; i < hidden; i++) {
                s += w[i] * data[offset + i];
            }
            z[c] = (float) s;
        }
        return z;
    }

    public HeadOutput apply(float[] data, int offset) {
        float[] z = logits(data, offset);
        return regression ? HeadOutput.regression(z[0]) : HeadOutput.classification(Probabilities.softmax(z));
    }
}
