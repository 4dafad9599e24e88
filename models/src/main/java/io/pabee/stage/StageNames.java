package io.pabee.stage;

/** The tensor names of the stage files: what prepare writes and what the runtime feeds and fetches. */
public final class StageNames {
    /** Stage 0 inputs. */
    public static final String INPUT_IDS = "input_ids";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /** Layer stage inputs. */
    public static final String HIDDEN_IN = "hidden_in";
    public static final String ATTENTION_MASK = "attention_mask";
    /** Every stage's output. */
    public static final String HIDDEN_OUT = "hidden_out";

    private StageNames() {
    }
}
