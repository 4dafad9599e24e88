package io.pabee.stage;

import io.pabee.tokenize.Tokens;
import java.util.List;

/**
 * Everything a router task, a worker or a local run needs of the model: tokenizer, stages, one
 * task's per-layer heads ({@link #apply}) and its identity. One instance serves a whole process:
 * implementations are thread-safe, and whoever loaded it (the role's command) closes it.
 */
public interface LayerModel extends EncoderStages, LayerHeads {
    /** Tokenizes a text or a text pair ({@code pair} may be null); the texts are already validated. */
    Tokens tokenize(String text, String pair);

    /** Label names by index (empty for regression). */
    List<String> labels();

    boolean regression();

    String task();

    /** The base model's name, e.g. {@code bge-small-en-v15}. */
    String modelId();

    /** Model and heads version; a continuation is only resumed by a model of the same version. */
    String modelVersion();
}
