package io.pabee.adaptive;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The number of encoder layers (K) the router runs before forwarding a record, shared by every task
 * of a router process: fixed, or moved within [min, max] by the router-layers controller. Each
 * micro-batch reads it once, and each result and continuation records the K it got.
 */
public final class RouterLayers {
    private final int min;
    private final int max;
    private final AtomicInteger current;

    /** K starts at {@code initial}, clamped to [min, max]. */
    public RouterLayers(int initial, int min, int max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("router layers bounds must satisfy 0 <= min <= max, got " + min + ".." + max);
        }
        this.min = min;
        this.max = max;
        this.current = new AtomicInteger(Math.max(min, Math.min(max, initial)));
    }

    /** A fixed K. */
    public static RouterLayers fixed(int k) {
        return new RouterLayers(k, k, k);
    }

    public int current() {
        return current.get();
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    /** Sets K, clamped to the bounds; returns the K now in use. */
    public int set(int k) {
        int v = Math.max(min, Math.min(max, k));
        current.set(v);
        return v;
    }
}
