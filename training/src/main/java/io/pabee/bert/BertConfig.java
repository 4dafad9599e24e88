package io.pabee.bert;

/**
 * The shape and the constants of a post-layer-norm BERT encoder, as read off its ONNX graph.
 *
 * @param attentionScale the divisor of the attention scores (sqrt of the head size)
 * @param maskFill       what a padded key position adds to a score: {@code (1 - mask) * maskFill}
 * @param tokenTypes     whether the embeddings add token-type embeddings
 */
public record BertConfig(int numLayers, int hidden, int heads, int intermediate, float layerNormEps,
                         float attentionScale, float maskFill, boolean tokenTypes) {
    public int headSize() {
        return hidden / heads;
    }
}
