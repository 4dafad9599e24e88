package io.pabee.features;

import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs the frozen encoder to full depth over many records and keeps each layer's [CLS] vector.
 * Records are batched in length order, so almost no compute goes to padding.
 */
public final class FeatureExtractor {
    private FeatureExtractor() {
    }

    public static LayerFeatures extract(StagedEncoder encoder, List<Tokens> records, int batchSize, IntConsumer progress) {
        int n = records.size();
        int h = encoder.hidden();
        LayerFeatures f = new LayerFeatures(encoder.numLayers(), n, h);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> records.get(i).length()));
        float[] cls = new float[h];
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            List<Tokens> batch = new ArrayList<>(end - start);
            int[] lengths = new int[end - start];
            for (int i = start; i < end; i++) {
                batch.add(records.get(order[i]));
                lengths[i - start] = records.get(order[i]).length();
            }
            List<float[]> hs = encoder.embed(batch);
            for (int layer = 1; layer <= encoder.numLayers(); layer++) {
                hs = encoder.layer(layer, hs, lengths);
                for (int i = start; i < end; i++) {
                    System.arraycopy(hs.get(i - start), 0, cls, 0, h);
                    f.set(layer, order[i], cls);
                }
            }
            progress.accept(end);
        }
        return f;
    }
}
