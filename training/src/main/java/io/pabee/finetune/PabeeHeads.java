package io.pabee.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pabee.heads.HeadSet;
import io.pabee.heads.LinearHead;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The internal classifiers being trained: one linear head per layer on that layer's [CLS] vector, the same
 * computation {@link LinearHead} applies at run time. Weights are kept transposed ({@code [hidden, outputs]})
 * so that the activation comes first in every operation.
 */
public final class PabeeHeads {
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final int numLayers;

    private PabeeHeads(int numLayers) {
        this.numLayers = numLayers;
    }

    /** Fresh heads: weights ~ N(0, 0.02²) from {@code seed} (BERT's initializer range), biases 0. */
    public static PabeeHeads init(NDManager manager, int numLayers, int hidden, int outputs, long seed) {
        PabeeHeads h = new PabeeHeads(numLayers);
        Random rnd = new Random(seed);
        for (int k = 1; k <= numLayers; k++) {
            float[] w = new float[hidden * outputs];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * 0.02);
            }
            h.put(weightName(k), manager.create(w, new Shape(hidden, outputs)));
            h.put(biasName(k), manager.zeros(new Shape(outputs)));
        }
        return h;
    }

    /** Sets every head's bias to {@code value} (a regression head's starting prediction). */
    void setBiases(float value) {
        for (int k = 1; k <= numLayers; k++) {
            NDArray b = arrays.get(biasName(k));
            float[] v = new float[(int) b.size()];
            java.util.Arrays.fill(v, value);
            b.set(v);
        }
    }

    /** Heads from stored arrays (names as {@link #arrays()} gives them). */
    public static PabeeHeads of(int numLayers, Map<String, NDArray> stored) {
        PabeeHeads h = new PabeeHeads(numLayers);
        for (int k = 1; k <= numLayers; k++) {
            h.put(weightName(k), stored.get(weightName(k)));
            h.put(biasName(k), stored.get(biasName(k)));
        }
        return h;
    }

    private void put(String name, NDArray a) {
        if (a == null) {
            throw new IllegalArgumentException("missing head array " + name);
        }
        a.setName(name);
        arrays.put(name, a);
    }

    public static String weightName(int layer) {
        return "head." + layer + ".weight";
    }

    public static String biasName(int layer) {
        return "head." + layer + ".bias";
    }

    public Map<String, NDArray> arrays() {
        return arrays;
    }

    public int numLayers() {
        return numLayers;
    }

    /** Logits {@code [batch, outputs]} of layer {@code k}'s head for that layer's hidden state {@code [batch, tokens, hidden]}. */
    public NDArray logits(int k, NDArray cls) {
        return cls.matMul(arrays.get(weightName(k))).add(arrays.get(biasName(k)));
    }

    /** The runtime form: rows {@code [outputs][hidden]} per layer, with dev metrics and training facts. */
    public HeadSet toHeadSet(TaskSpec task, List<Map<String, Double>> devMetrics, Map<String, Object> training) {
        List<LinearHead> heads = new java.util.ArrayList<>();
        int hidden = 0;
        for (int k = 1; k <= numLayers; k++) {
            NDArray w = arrays.get(weightName(k));
            hidden = (int) w.getShape().get(0);
            int outputs = (int) w.getShape().get(1);
            float[] flat = w.toFloatArray();
            float[][] rows = new float[outputs][hidden];
            for (int c = 0; c < outputs; c++) {
                for (int i = 0; i < hidden; i++) {
                    rows[c][i] = flat[i * outputs + c];
                }
            }
            heads.add(new LinearHead(rows, arrays.get(biasName(k)).toFloatArray(), task.regression()));
        }
        return new HeadSet(task.name(), task.problemType(), task.labels(), hidden, heads, devMetrics, training);
    }
}
