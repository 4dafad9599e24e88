package io.pabee.stage;

import io.pabee.tokenize.Tokens;
import java.util.List;

/** Stage 0 (embeddings) and encoder layers 1..L over batches of records of any length. */
public interface EncoderStages {
    /** Embeddings for a batch of tokenized records, one hidden array [length][hidden] per record. */
    List<float[]> embed(List<Tokens> batch);

    /**
     * Runs encoder layer {@code layer} (1-based) over records holding the previous layer's output and
     * overwrites those arrays with this layer's output; returns the same list.
     */
    List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths);

    /** Encoder layers L of the whole model (not only those loaded here). */
    int numLayers();

    int hidden();
}
