package io.pabee.patience;

/**
 * Decides after each encoder layer whether a record may stop there. Implementations are stateless
 * and thread-safe; all per-record state lives in {@link ExitState}.
 */
public interface ExitPolicy {

    /** Short policy name: patience, fixed, entropy, confidence, vote. */
    String name();

    /** The parameter setting, e.g. {@code patience=3}, for reports. */
    String setting();

    /**
     * Observes the head output of {@code layer} (1-based, called for consecutive layers) and
     * updates {@code state}. Returns true when the record exits at this layer. Must return true
     * when {@code layer == numLayers}.
     */
    boolean observe(ExitState state, int layer, int numLayers, HeadOutput out);

    /** The prediction reported for a record that exits at a layer with head output {@code out}. */
    default Prediction predict(ExitState state, HeadOutput out) {
        return Prediction.of(out);
    }
}
