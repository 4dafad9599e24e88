package io.pabee.adaptive;

/** Why a record ran at a lower patience than it asked for; the wire name is the lower-case one. */
public enum LoweredReason {
    /** The adaptive controller lowered it to keep the latency target under load. */
    LOAD,
    /** Its own latency budget could not be met at the requested patience. */
    BUDGET;

    /** The name in Classification.lowered_reason and in metrics: load or budget. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The reason of a wire name, or null for null. */
    public static LoweredReason ofWire(String s) {
        return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
