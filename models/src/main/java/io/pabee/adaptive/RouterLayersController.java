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
 * at most one step per window. Near the balance K alternates between its two neighbours, slowly. Not
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
        int next = m == Move.HOLD ? k : layers.set(k + (m == Move.UP ? 1 : -1));
        if (next != k) {
            samples.clear();
        }
        return next;
    }

    public RouterLayers layers() {
        return layers;
    }
}
