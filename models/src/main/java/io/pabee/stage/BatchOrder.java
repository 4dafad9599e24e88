package io.pabee.stage;

import java.util.Locale;

/**
 * How records are grouped into stage calls. A call pads every record to the longest one in it, so
 * grouping records of similar length ({@link #LENGTH}) computes fewer padded positions than taking
 * them as they arrive ({@link #ARRIVAL}); exit decisions are the same either way (padding is masked).
 */
public enum BatchOrder {
    /** Records of similar token count share a stage call: a micro-batch is sorted before its first call, a depth queue is. */
    LENGTH,
    /** Records are taken in the order they came (the behaviour before length-aware batching, kept for comparison). */
    ARRIVAL;

    /** The order named {@code length} or {@code arrival} (any case). */
    public static BatchOrder parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("batch order must be length or arrival, got '" + name + "'", e);
        }
    }

    /** The name as settings and benchmarks spell it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
