package io.pabee.adaptive;

import java.time.Duration;

/**
 * Shadow agreement over recent time: how many shadow runs finished and how many of them agreed with
 * the full-depth answer, overall and for records whose patience was lowered. Thread-safe (a listener
 * thread adds, the controller reads). Memory is bounded: counts live in a ring of time buckets
 * covering the retained span, so a query is as fine as one bucket and reaches back at most the span.
 */
public final class AgreementWindow {
    /** Counts since a time: all shadow runs and the lowered ones, each with how many agreed. */
    public record Agreement(long count, long agreeing, long loweredCount, long loweredAgreeing) {
        /** Share of shadow runs that agreed; NaN without any. */
        public double share() {
            return count == 0 ? Double.NaN : (double) agreeing / count;
        }

        /** Share of lowered records' shadow runs that agreed; NaN without any. */
        public double loweredShare() {
            return loweredCount == 0 ? Double.NaN : (double) loweredAgreeing / loweredCount;
        }
    }

    private final long bucketMs;
    /** Per slot: the bucket number it holds (time / bucketMs), or Long.MIN_VALUE when empty. */
    private final long[] bucket;
    private final long[] count;
    private final long[] agreeing;
    private final long[] lowered;
    private final long[] loweredAgreeing;

    /** One-second buckets over the last hour. */
    public AgreementWindow() {
        this(Duration.ofSeconds(1), Duration.ofHours(1));
    }

    /** Buckets of {@code bucket} covering at least {@code span}. */
    public AgreementWindow(Duration bucket, Duration span) {
        this.bucketMs = bucket.toMillis();
        if (bucketMs < 1 || span.toMillis() < bucketMs) {
            throw new IllegalArgumentException("need a bucket of at least 1 ms and a span of at least one bucket, got "
                    + bucket + " and " + span);
        }
        int slots = Math.toIntExact(Math.min(1_000_000, (span.toMillis() + bucketMs - 1) / bucketMs));
        this.bucket = new long[slots];
        java.util.Arrays.fill(this.bucket, Long.MIN_VALUE);
        this.count = new long[slots];
        this.agreeing = new long[slots];
        this.lowered = new long[slots];
        this.loweredAgreeing = new long[slots];
    }

    /**
     * One finished shadow run at {@code timeMs}: whether it agreed, and why its patience was lowered
     * ({@code null} when it was not). A run older than the retained span is ignored.
     */
    public synchronized void add(boolean agree, String loweredReason, long timeMs) {
        long b = Math.floorDiv(timeMs, bucketMs);
        int slot = (int) Math.floorMod(b, (long) bucket.length);
        if (bucket[slot] != b) {
            if (bucket[slot] != Long.MIN_VALUE && bucket[slot] > b) {
                return; // the slot already holds a newer bucket: this run is older than the span
            }
            bucket[slot] = b;
            count[slot] = 0;
            agreeing[slot] = 0;
            lowered[slot] = 0;
            loweredAgreeing[slot] = 0;
        }
        count[slot]++;
        if (agree) {
            agreeing[slot]++;
        }
        if (loweredReason != null) {
            lowered[slot]++;
            if (agree) {
                loweredAgreeing[slot]++;
            }
        }
    }

    /** The counts of runs at or after {@code sinceMs}, to the bucket: the bucket holding {@code sinceMs} counts whole. */
    public synchronized Agreement agreement(long sinceMs) {
        long from = Math.floorDiv(sinceMs, bucketMs);
        long n = 0;
        long a = 0;
        long l = 0;
        long la = 0;
        for (int i = 0; i < bucket.length; i++) {
            if (bucket[i] != Long.MIN_VALUE && bucket[i] >= from) {
                n += count[i];
                a += agreeing[i];
                l += lowered[i];
                la += loweredAgreeing[i];
            }
        }
        return new Agreement(n, a, l, la);
    }
}
