package io.pabee.wire;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.PatiencePolicy;

/**
 * The exit policy a continuation carries: PABEE patience and, on a regression head, its threshold.
 * Router and worker build it here and nowhere else, so both ends agree on what the fields mean.
 */
public final class WirePolicy {
    /** The policy name on the wire. */
    public static final String PATIENCE = "patience";

    private WirePolicy() {
    }

    /** Patience {@code patience}; the threshold counts only on a regression head (classification ignores it). */
    public static PatiencePolicy patience(int patience, float regressionThreshold, boolean regression) {
        return regression ? new PatiencePolicy(patience, regressionThreshold) : new PatiencePolicy(patience);
    }

    /** The policy as the wire carries it; only patience policies travel between router and worker. */
    static PatiencePolicy onWire(ExitPolicy policy) {
        if (policy instanceof PatiencePolicy p) {
            return p;
        }
        throw new IllegalArgumentException("only patience policies travel in a continuation, not " + policy.name());
    }
}
