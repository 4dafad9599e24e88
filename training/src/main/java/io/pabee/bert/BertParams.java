package io.pabee.bert;

import java.util.List;

/** Names of the encoder's parameters: {@code emb.word}, {@code layer.3.query.weight}, ... (layer numbers are 1-based). */
public final class BertParams {
    public static final String WORD = "emb.word";
    public static final String POSITION = "emb.position";
    public static final String TYPE = "emb.type";
    public static final String EMB_LN_GAMMA = "emb.ln.gamma";
    public static final String EMB_LN_BETA = "emb.ln.beta";
    public static final String QUERY = "query";
    public static final String KEY = "key";
    public static final String VALUE = "value";
    public static final String ATTN_OUT = "attn_out";
    public static final String INTERMEDIATE = "intermediate";
    public static final String OUTPUT = "output";
    public static final String ATTN_LN = "attn_ln";
    public static final String OUT_LN = "out_ln";
    /** The dense projections of a layer, in the order LoRA adapts them. */
    public static final List<String> DENSE = List.of(QUERY, KEY, VALUE, ATTN_OUT, INTERMEDIATE, OUTPUT);

    private BertParams() {
    }

    public static String weight(int layer, String dense) {
        return "layer." + layer + "." + dense + ".weight";
    }

    public static String bias(int layer, String dense) {
        return "layer." + layer + "." + dense + ".bias";
    }

    public static String gamma(int layer, String norm) {
        return "layer." + layer + "." + norm + ".gamma";
    }

    public static String beta(int layer, String norm) {
        return "layer." + layer + "." + norm + ".beta";
    }
}
