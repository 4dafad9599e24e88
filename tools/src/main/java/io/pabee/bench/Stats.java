package io.pabee.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The statistics every benchmark reports: rates, medians of repeated passes, nearest-rank percentiles. */
public final class Stats {
    private Stats() {
    }

    /** Records per second of {@code n} records done in {@code nanos}. */
    public static double perSecond(long n, long nanos) {
        return n / (nanos / 1e9);
    }

    /** Runs {@code work} once and returns {@code n} divided by its wall-clock seconds. */
    public static double perSecond(long n, Runnable work) {
        long t0 = System.nanoTime();
        work.run();
        return perSecond(n, System.nanoTime() - t0);
    }

    /** The upper median (element {@code size / 2} in ascending order), as every bench has reported it. */
    public static double median(Collection<Double> xs) {
        return medianBy(new ArrayList<>(xs), Double::doubleValue);
    }

    /** The element whose {@code key} is the upper median; ties keep their order. Fails on an empty list. */
    public static <T> T medianBy(List<T> xs, ToDoubleFunction<T> key) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no passes to take a median of");
        }
        List<T> sorted = new ArrayList<>(xs);
        sorted.sort(Comparator.comparingDouble(key));
        return sorted.get(sorted.size() / 2);
    }

    /** Nearest-rank percentile {@code q} (0..1] of ascending {@code sorted}; 0 when empty. */
    public static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }

    /** Rates with one decimal, e.g. {@code [101.2, 99.8]}, for progress lines. */
    public static String rates(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.1f", x)).toList().toString();
    }
}
