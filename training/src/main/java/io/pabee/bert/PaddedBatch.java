package io.pabee.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pabee.tokenize.PaddedTokens;
import io.pabee.tokenize.Tokens;
import java.util.List;

/** Token ids, type ids and attention mask of a batch, padded with zeros to its longest record. */
public record PaddedBatch(NDArray ids, NDArray types, NDArray mask, int tokens) {

    public static PaddedBatch of(NDManager manager, List<Tokens> batch) {
        PaddedTokens p = PaddedTokens.of(batch);
        Shape s = new Shape(p.shape());
        return new PaddedBatch(manager.create(p.ids(), s), manager.create(p.typeIds(), s), manager.create(p.mask(), s),
                p.tokens());
    }
}
