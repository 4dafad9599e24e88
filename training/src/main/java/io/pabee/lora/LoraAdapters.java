package io.pabee.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pabee.bert.BertParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Low-rank adapters (LoRA) on the dense projections: W' = W + (alpha / rank) · A · B with A {@code [in, rank]}
 * and B {@code [rank, out]}. B starts at zero, so a fresh adapter leaves the encoder unchanged.
 */
public final class LoraAdapters {
    private final int rank;
    private final float alpha;
    private final List<String> targets;
    /** {@code layer.K.<dense>.lora_a} / {@code .lora_b} → array. */
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    private LoraAdapters(int rank, float alpha, List<String> targets) {
        this.rank = rank;
        this.alpha = alpha;
        this.targets = List.copyOf(targets);
    }

    /** Fresh adapters for every target of every layer; A ~ N(0, 1/rank) from {@code seed}, B = 0. */
    public static LoraAdapters init(NDManager manager, Map<String, NDArray> base, int numLayers, int rank, float alpha,
                                    List<String> targets, long seed) {
        LoraAdapters l = new LoraAdapters(rank, alpha, targets);
        Random rnd = new Random(seed);
        for (int k = 1; k <= numLayers; k++) {
            for (String t : targets) {
                Shape w = base.get(BertParams.weight(k, t)).getShape();
                float[] a = new float[(int) (w.get(0) * rank)];
                double std = 1.0 / Math.sqrt(w.get(0));
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (rnd.nextGaussian() * std);
                }
                l.arrays.put(aName(k, t), named(manager.create(a, new Shape(w.get(0), rank)), aName(k, t)));
                l.arrays.put(bName(k, t), named(manager.zeros(new Shape(rank, w.get(1))), bName(k, t)));
            }
        }
        return l;
    }

    /** Adapters from stored arrays (names as {@link #arrays()} gives them). */
    public static LoraAdapters of(int rank, float alpha, List<String> targets, Map<String, NDArray> stored) {
        LoraAdapters l = new LoraAdapters(rank, alpha, targets);
        l.arrays.putAll(stored);
        return l;
    }

    /** Fails unless every target of every layer has an A and a B of rank {@link #rank()}. */
    public void check(int numLayers) {
        for (int k = 1; k <= numLayers; k++) {
            for (String t : targets) {
                NDArray a = arrays.get(aName(k, t));
                NDArray b = arrays.get(bName(k, t));
                if (a == null || b == null || a.getShape().get(1) != rank || b.getShape().get(0) != rank) {
                    throw new IllegalArgumentException("adapter for layer " + k + " " + t + " is missing or not of rank " + rank);
                }
            }
        }
        if (arrays.size() != 2 * numLayers * targets.size()) {
            throw new IllegalArgumentException("adapters hold " + arrays.size() + " arrays, expected " + 2 * numLayers * targets.size());
        }
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }

    public static String aName(int layer, String target) {
        return "layer." + layer + "." + target + ".lora_a";
    }

    public static String bName(int layer, String target) {
        return "layer." + layer + "." + target + ".lora_b";
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public float scale() {
        return alpha / rank;
    }

    public List<String> targets() {
        return targets;
    }

    /** Every A and B, by name; these are the trainable arrays. */
    public Map<String, NDArray> arrays() {
        return arrays;
    }

    /**
     * (x · A) · B · scale for an adapted projection, else null; {@code scale} is {@link #scale()} as a tensor
     * that outlives the backward pass (see {@code BertEncoder}).
     */
    public NDArray apply(int layer, String target, NDArray x, NDArray scale) {
        NDArray a = arrays.get(aName(layer, target));
        if (a == null) {
            return null;
        }
        return x.matMul(a).matMul(arrays.get(bName(layer, target))).mul(scale);
    }

    /** W + scale · A · B as float values (row-major {@code [in, out]}), the merged weight an export writes. */
    public float[] merged(int layer, String target, NDArray weight) {
        NDArray a = arrays.get(aName(layer, target));
        if (a == null) {
            return weight.toFloatArray();
        }
        try (NDManager tmp = weight.getManager().newSubManager()) {
            NDArray w = weight.duplicate();
            w.attach(tmp);
            NDArray d = a.matMul(arrays.get(bName(layer, target)));
            d.attach(tmp);
            return w.add(d.mul(scale())).toFloatArray();
        }
    }
}
