package io.pabee.stage;

import io.pabee.patience.HeadOutput;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LayerModel} in plain Java for tests, no ONNX: one token per word (at most {@code maxLength}),
 * hidden size 2. A record whose first word is {@code flip} changes its label at every layer, so PABEE
 * never finds it patient before the last layer; any other record keeps label 1 ({@code positive})
 * from layer 1 on. Each layer checks that it gets the previous layer's output, so a record resumed
 * at the wrong depth fails loudly. Counts embedding and layer calls for batching tests.
 */
public class FakeLayerModel implements LayerModel {
    public static final int HIDDEN = 2;
    private final int numLayers;
    private final int maxLength;
    private final String version;
    /** Stage calls so far (embedding batches, layer batches) and the records of each layer call. */
    public final AtomicInteger embedCalls = new AtomicInteger();
    public final AtomicInteger layerCalls = new AtomicInteger();
    public final List<Integer> layerBatchSizes = java.util.Collections.synchronizedList(new ArrayList<>());

    public FakeLayerModel(int numLayers) {
        this(numLayers, 128, "fake-v1");
    }

    public FakeLayerModel(int numLayers, int maxLength, String version) {
        this.numLayers = numLayers;
        this.maxLength = maxLength;
        this.version = version;
    }

    @Override
    public Tokens tokenize(String text, String pair) {
        String all = pair == null ? text : text + " " + pair;
        String[] words = all.trim().split("\\s+");
        int n = Math.min(words.length, maxLength);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = words[i].equals("flip") ? 1 : 2;
        }
        return new Tokens(ids, new long[n], words.length > maxLength);
    }

    @Override
    public List<float[]> embed(List<Tokens> batch) {
        embedCalls.incrementAndGet();
        List<float[]> out = new ArrayList<>(batch.size());
        for (Tokens t : batch) {
            float[] h = new float[t.length() * HIDDEN];
            for (int i = 0; i < t.length(); i++) {
                h[i * HIDDEN] = t.ids()[0] == 1 ? 1f : 0f; // mode: 1 = flip
                h[i * HIDDEN + 1] = 0f;                    // layers run so far
            }
            out.add(h);
        }
        return out;
    }

    @Override
    public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
        if (layer < 1 || layer > numLayers) {
            throw new IllegalArgumentException("no layer " + layer);
        }
        layerCalls.incrementAndGet();
        layerBatchSizes.add(hiddens.size());
        for (int r = 0; r < hiddens.size(); r++) {
            float[] h = hiddens.get(r);
            if (h.length != lengths[r] * HIDDEN) {
                throw new IllegalArgumentException("record " + r + " has " + h.length + " values for " + lengths[r] + " tokens");
            }
            for (int i = 0; i < lengths[r]; i++) {
                if (h[i * HIDDEN + 1] != layer - 1) {
                    throw new IllegalStateException("layer " + layer + " got the output of layer " + h[i * HIDDEN + 1]);
                }
                h[i * HIDDEN + 1] = layer;
            }
        }
        return hiddens;
    }

    @Override
    public HeadOutput apply(int layer, float[] hidden) {
        boolean flip = hidden[0] == 1f;
        boolean positive = !flip || layer % 2 == 1;
        return HeadOutput.classification(positive ? new float[] {0.1f, 0.9f} : new float[] {0.8f, 0.2f});
    }

    @Override
    public int numLayers() {
        return numLayers;
    }

    @Override
    public int hidden() {
        return HIDDEN;
    }

    @Override
    public List<String> labels() {
        return List.of("negative", "positive");
    }

    @Override
    public boolean regression() {
        return false;
    }

    @Override
    public String task() {
        return "SST-2";
    }

    @Override
    public String modelId() {
        return "fake";
    }

    @Override
    public String modelVersion() {
        return version;
    }
}
