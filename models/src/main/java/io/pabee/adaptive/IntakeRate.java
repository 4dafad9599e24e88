package io.pabee.adaptive;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The router's intake rate (records/s) from samples of a cumulative count (its group's committed
 * input offsets). The count moves in bursts, a micro-batch at a time, so the rate is taken between
 * the samples where it changed: whole micro-batch cycles, not a window's arbitrary phase.
 */
public final class IntakeRate {
    private static final int KEEP = 4096;
    private final Deque<long[]> changes = new ArrayDeque<>();
    private long last = -1;

    /** One sample at {@code timeMs} of the cumulative count (negative = unknown, ignored). */
    public void add(long timeMs, long count) {
        if (count < 0 || count == last) {
            return;
        }
        last = count;
        changes.addLast(new long[] {timeMs, count});
        if (changes.size() > KEEP) {
            changes.removeFirst();
        }
    }

    /** Whether the count has moved at all (two different counts seen): an intake to measure. */
    public boolean known() {
        return changes.size() >= 2;
    }

    /**
     * Records/s between the changes after {@code fromMs}, leaving out the first (it may close a cycle
     * that began before); NaN with fewer than {@code minChanges} changes left.
     */
    public double since(long fromMs, int minChanges) {
        return since(fromMs, 1, minChanges);
    }

    /**
     * Records/s between the changes after {@code fromMs}, leaving out the first {@code skip} (at least one):
     * after a change of K the first cycles still run work queued at the old K, so a rate over them says
     * little about the new one. NaN with fewer than {@code minChanges} changes left.
     */
    public double since(long fromMs, int skip, int minChanges) {
        long[] first = null;
        long[] lastChange = null;
        int n = 0;
        int skipped = 0;
        for (long[] c : changes) {
            if (c[0] <= fromMs) {
                continue;
            }
            if (skipped < Math.max(1, skip)) {
                skipped++;
                continue;
            }
            if (first == null) {
                first = c;
            }
            lastChange = c;
            n++;
        }
        if (n < Math.max(2, minChanges) || lastChange[0] == first[0]) {
            return Double.NaN;
        }
        return 1000.0 * (lastChange[1] - first[1]) / (lastChange[0] - first[0]);
    }
}
