package io.pabee.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pabee.tokenize.Tokens;
import java.util.List;

/** Token ids, type ids and attention mask of a batch, padded with zeros to its longest record. */
public record PaddedBatch(NDArray ids, NDArray types, NDArray mask, int tokens) {

    public static PaddedBatch of(NDManager manager, List<Tokens> batch) {
        int b = batch.size();
        int t = batch.stream().mapToInt(Tokens::length).max().orElse(0);
        long[] ids = new long[b * t];
        long[] types = new long[b * t];
        long[] mask = new long[b * t];
        for (int r = 0; r < b; r++) {
            Tokens x = batch.get(r);
            System.arraycopy(x.ids(), 0, ids, r * t, x.length());
            System.arraycopy(x.typeIds(), 0, types, r * t, x.length());
            for (int i = 0; i < x.length(); i++) {
                mask[r * t + i] = 1;
            }
        }
        Shape s = new Shape(b, t);
        return new PaddedBatch(manager.create(ids, s), manager.create(types, s), manager.create(mask, s), t);
    }
}
