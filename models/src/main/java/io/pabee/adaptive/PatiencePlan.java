package io.pabee.adaptive;

/**
 * The controller's decision: the patience level {@code x} in effect, possibly between two integer
 * patiences. At x = 3.4 a share 0.6 of records (chosen by id) run at patience 3 and 0.4 at patience 4,
 * so the mean cost moves smoothly between the measured steps instead of jumping a whole patience.
 * {@link #UNLOWERED} caps nothing: every record keeps the patience it asked for.
 */
public record PatiencePlan(double level, boolean lowered) {
    private static final long SALT = 0x7A71_E4CEL;
    /** No lowering. */
    public static final PatiencePlan UNLOWERED = new PatiencePlan(Double.POSITIVE_INFINITY, false);

    /** A plan at level {@code x} (>= 1). */
    public static PatiencePlan at(double x) {
        if (!(x >= 1)) {
            throw new IllegalArgumentException("patience level must be >= 1, got " + x);
        }
        return new PatiencePlan(x, true);
    }

    /** The cap this plan puts on record {@code id}: floor(x) or floor(x) + 1, by a stable hash of the id. */
    public int capFor(String id) {
        if (!lowered) {
            return Integer.MAX_VALUE;
        }
        int low = (int) Math.floor(level);
        double upShare = level - low;
        if (upShare <= 0) {
            return low;
        }
        return IdFraction.of(id == null ? "" : id, SALT) < upShare ? low + 1 : low;
    }

    /**
     * The patience record {@code id} runs at when it asked for {@code requested} (0 = full depth, which
     * counts as the highest patience): the smaller of the two, with the cap's reason when it lowered it.
     */
    public Choice apply(String id, int requested) {
        int cap = capFor(id);
        if (requested != 0 && requested <= cap || cap == Integer.MAX_VALUE) {
            return new Choice(requested, null);
        }
        return new Choice(cap, LoweredReason.LOAD);
    }

    /** A patience and why it is below the requested one (null: it is not). */
    public record Choice(int patience, LoweredReason reason) {
    }
}
