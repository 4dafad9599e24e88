package io.pabee.adaptive;

/** Chooses the exited records that also run to the last layer (shadow runs): a fixed share of ids. */
public final class ShadowSampler {
    private static final long SALT = 0x5AD0_5AD0L;
    private final double rate;

    public ShadowSampler(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("shadow sample rate must be in [0, 1], got " + rate);
        }
        this.rate = rate;
    }

    public double rate() {
        return rate;
    }

    /** Whether record {@code id} gets a shadow run; the same answer for the same id everywhere. */
    public boolean sampled(String id) {
        return rate > 0 && id != null && IdFraction.of(id, SALT) < rate;
    }
}
