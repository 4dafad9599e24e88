package io.pabee.adaptive;

import java.util.OptionalDouble;

/**
 * Picks the patience for an event with a latency budget: the highest patience, up to the one it asked
 * for, whose expected time (mean layers at that patience from the profile, times the measured time per
 * layer of a record under the current load) fits in what is left of the budget. When none fits, the
 * lowest allowed patience: the record is answered late rather than not at all.
 */
public final class BudgetPlanner {
    private final int numLayers;
    private final int minPatience;
    private final PatienceProfile profile;

    /** {@code profile} may be null: then a patience p is expected to run its p + 1 layers, the fewest it can. */
    public BudgetPlanner(int numLayers, int minPatience, PatienceProfile profile) {
        this.numLayers = numLayers;
        this.minPatience = minPatience;
        this.profile = profile;
    }

    /** Expected layers a record runs at {@code patience} (0 = full depth). */
    public double expectedLayers(int patience) {
        if (patience == 0 || patience >= numLayers - 1) {
            return numLayers;
        }
        if (profile != null) {
            OptionalDouble m = profile.meanLayers(patience);
            if (m.isPresent()) {
                return m.getAsDouble();
            }
        }
        return Math.min(numLayers, patience + 1);
    }

    /**
     * The patience for a record that asked for {@code requested} (0 = full depth) with {@code remainingMs}
     * of its budget left when its work starts, at {@code msPerLayer} per layer (NaN or 0: not measured yet,
     * and the request stands). Returns {@code requested} when it fits.
     */
    public int choose(int requested, double remainingMs, double msPerLayer) {
        if (!(msPerLayer > 0) || expectedLayers(requested) * msPerLayer <= remainingMs) {
            return requested;
        }
        int top = requested == 0 ? numLayers - 1 : Math.min(requested, numLayers - 1);
        for (int p = top - 1; p >= minPatience; p--) {
            if (expectedLayers(p) * msPerLayer <= remainingMs) {
                return p;
            }
        }
        return Math.min(top, minPatience);
    }
}
