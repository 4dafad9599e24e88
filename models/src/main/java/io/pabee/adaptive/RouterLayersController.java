package io.pabee.adaptive;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Moves the router's K one layer at a time from the balance of the pipeline's two queues: input
 * events waiting for the router and continuations waiting for the worker pool (records, e.g. end
 * offsets minus committed offsets), sampled at a fixed interval. It judges a window of samples, not
 * one: the router emits continuations a micro-batch at a time, so the continuation queue is a saw
 * tooth even when the pool keeps up. A queue is long above the high-water mark and short at or below
 * the low-water mark; in between it is neither (the dead band).
 * <ul>
 *   <li>the input stayed long for the whole window, the continuations fell to short at least once and
 *       did not grow from the window's first half to its second: the router is the bottleneck while the
 *       pool waits, so K goes down (layers move to the pool);</li>
 *   <li>the continuations stayed long for the whole window and grew: the pool falls further behind, so
 *       K goes up (layers move to the router), whether or not input waits too: under a flood of input,
 *       holding would leave K below the balance for as long as the input backlog lasts;</li>
 *   <li>anything else (both short, either in the dead band, a long backlog of the pool that is already
 *       shrinking, continuations building up after a step down): K holds.</li>
 * </ul>
 * The trend conditions keep it from stepping again while the queues still answer the last step, and
 * after a step the window starts empty, so the next step judges only samples taken under the new K:
 * at most one step per window. Near the balance K alternates between its two neighbours, slowly.
 * With a {@link #guard}, the steps the router's bottleneck asks for must also keep the router's
 * intake rate up, and K climbs instead where moving layers to the pool costs intake. Not
 * thread-safe: one monitor thread feeds it; readers of K use the shared {@link RouterLayers}.
 */
public final class RouterLayersController {
    /** What a window of samples says K should do. */
    public enum Move { DOWN, UP, HOLD }

    private final RouterLayers layers;
    private final long lowWater;
    private final long highWater;
    private final int window;
    private final Deque<long[]> samples = new ArrayDeque<>();
    private final IntakeRate intake = new IntakeRate();
    private long guardHoldOffMs;
    private double guardTolerance;
    private int guardChanges;
    /** When K last moved (ms). */
    private long movedAt = Long.MIN_VALUE;
    /** A step down on trial: the K before it and the intake rate there; null when none. */
    private double[] trial;
    /** Changes of the intake count left out after a step before its rate is taken. */
    private int guardSettle = 1;
    private long downBlockedUntil = Long.MIN_VALUE;
    private long upBlockedUntil = Long.MIN_VALUE;
    private String lastReason = "";

    /**
     * A controller of {@code layers}: queues are short at or below {@code lowWater} records and long
     * above {@code highWater}; it judges the last {@code window} samples.
     */
    public RouterLayersController(RouterLayers layers, long lowWater, long highWater, int window) {
        if (lowWater < 0 || highWater < lowWater || window < 1) {
            throw new IllegalArgumentException("need 0 <= low water <= high water and a window of >= 1 sample, got "
                    + lowWater + ", " + highWater + ", " + window);
        }
        this.layers = layers;
        this.lowWater = lowWater;
        this.highWater = highWater;
        this.window = window;
    }

    /**
     * Marks from the router's micro-batch size N: long = more than one micro-batch waiting, short = at
     * most a quarter of one.
     */
    public static RouterLayersController forBatch(RouterLayers layers, int batchRecords, int window) {
        return new RouterLayersController(layers, Math.max(1, batchRecords / 4), Math.max(1, batchRecords), window);
    }

    /**
     * Puts every step the router's bottleneck asks for on trial (see {@link #observe(long, long, long, long)}):
     * once the router's intake rate at the new K is known over {@code changes} changes of its committed
     * count, a rate more than {@code tolerance} (e.g. 0.05) below the one before takes the step back and
     * blocks that direction for {@code holdOffMs}; while steps down are blocked, K probes upwards the same
     * way. Steps up because the pool falls behind are never on trial, nor are steps while the count has
     * never moved (nothing to measure). Returns this.
     */
    public RouterLayersController guard(double tolerance, int changes, long holdOffMs) {
        return guard(tolerance, changes, holdOffMs, 1);
    }

    /**
     * As {@link #guard(double, int, long)}, judging a step only after {@code settleChanges} changes of the
     * count at the new K have passed (work queued at the old K drains in them): a rate taken right after a
     * step up, while the pool still runs the old K's continuations on the same CPU, reads low.
     */
    public RouterLayersController guard(double tolerance, int changes, long holdOffMs, int settleChanges) {
        if (!(tolerance >= 0 && tolerance < 1) || changes < 2 || holdOffMs < 0 || settleChanges < 1) {
            throw new IllegalArgumentException("need 0 <= tolerance < 1, changes >= 2, hold-off >= 0, settle >= 1");
        }
        this.guardTolerance = tolerance;
        this.guardChanges = changes;
        this.guardHoldOffMs = holdOffMs;
        this.guardSettle = settleChanges;
        return this;
    }

    /**
     * The verdict on a window whose smallest input lag is {@code minInput}, smallest continuation lag
     * {@code minContinuations} (records), and whose continuations grew ({@code trend} 1), shrank (-1)
     * or neither (0) from its first half to its second.
     */
    public Move verdict(long minInput, long minContinuations, int trend) {
        if (minContinuations > highWater && trend > 0) {
            return Move.UP;
        }
        if (minInput > highWater && minContinuations <= lowWater && trend <= 0) {
            return Move.DOWN;
        }
        return Move.HOLD;
    }

    /**
     * Feeds one interval's queue lengths in records and returns the K in use afterwards, moved by at
     * most one layer within the holder's bounds. A negative lag (could not be read) empties the window.
     */
    public int observe(long inputLag, long continuationLag) {
        return observe(inputLag, continuationLag, -1, 0);
    }

    /**
     * As {@link #observe(long, long)}, with the router's cumulative intake {@code inputCommitted} (its
     * group's committed input offsets, negative = unknown) at {@code nowMs}. With a {@link #guard}, a step
     * taken because the router is the bottleneck stands only if the intake rate did not fall: on a CPU the
     * pool shares with the router, moving layers to the pool can cost more (continuations through the
     * broker) than it frees, and then K climbs instead, as long as that raises the intake.
     */
    public int observe(long inputLag, long continuationLag, long inputCommitted, long nowMs) {
        intake.add(nowMs, inputCommitted);
        if (trial != null) {
            double after = intake.since(movedAt, guardSettle, guardChanges);
            if (!Double.isNaN(after)) {
                int back = (int) trial[0];
                double before = trial[1];
                trial = null;
                if (after < before * (1 - guardTolerance)) {
                    // that direction costs intake here: try it again only after the hold-off
                    if (back > layers.current()) {
                        downBlockedUntil = nowMs + guardHoldOffMs;
                    } else {
                        upBlockedUntil = nowMs + guardHoldOffMs;
                    }
                    lastReason = String.format("intake %.1f records/s after the step, %.1f before: back", after, before);
                    return moveTo(back, nowMs);
                }
            }
        }
        if (inputLag < 0 || continuationLag < 0) {
            samples.clear();
            return layers.current();
        }
        samples.addLast(new long[] {inputLag, continuationLag});
        if (samples.size() > window) {
            samples.removeFirst();
        }
        if (samples.size() < window) {
            return layers.current();
        }
        long minInput = Long.MAX_VALUE;
        long minContinuations = Long.MAX_VALUE;
        long first = 0;
        long second = 0;
        int i = 0;
        for (long[] s : samples) {
            minInput = Math.min(minInput, s[0]);
            minContinuations = Math.min(minContinuations, s[1]);
            // the halves' sums (the middle sample of an odd window in neither) give the continuations' trend
            if (2 * i + 1 < window) {
                first += s[1];
            } else if (2 * i + 1 > window) {
                second += s[1];
            }
            i++;
        }
        Move m = verdict(minInput, minContinuations, Long.signum(second - first));
        int k = layers.current();
        if (m == Move.UP) {
            trial = null;
            lastReason = "continuations long and growing";
            return moveTo(k + 1, nowMs);
        }
        if (m != Move.DOWN || trial != null) {
            return k;
        }
        // the router is the bottleneck while the pool waits: move layers to the pool, or, where that was tried and
        // cost intake (a pool on the router's CPU), probe the other way; unguarded, always to the pool
        boolean guarded = guardChanges > 0 && intake.known();
        int to;
        if (nowMs >= downBlockedUntil && k > layers.min()) {
            to = k - 1;
            lastReason = "input long, continuations short";
        } else if (guarded && nowMs < downBlockedUntil && nowMs >= upBlockedUntil && k < layers.max()) {
            to = k + 1;
            lastReason = "input long, continuations short; fewer layers cost intake, probing more";
        } else {
            return k;
        }
        if (guarded) {
            double before = intake.since(movedAt, guardSettle, guardChanges);
            if (Double.isNaN(before)) {
                // the step is to be judged against the rate here, which needs a few more cycles
                return k;
            }
            trial = new double[] {k, before};
        }
        return moveTo(to, nowMs);
    }

    private int moveTo(int k, long nowMs) {
        int before = layers.current();
        int now = layers.set(k);
        if (now != before) {
            samples.clear();
            movedAt = nowMs;
        }
        return now;
    }

    /** Why K last moved, for the log. */
    public String lastReason() {
        return lastReason;
    }

    public RouterLayers layers() {
        return layers;
    }
}
