package io.pabee.bench;

import java.util.Collection;

/**
 * What a set of answered records says about early exit: how many, mean exit layer and speed-up,
 * latency percentiles, how many exited at the router, the exit histogram, and accuracy where labels
 * are known. Demo and benchmarks report from this one summary.
 */
public record ExitSummary(int results, double meanExitLayer, double speedup, long latencyP50Ms, long latencyP99Ms,
                          long exitedAtRouter, long[] histogram, int labeled, int correct) {

    /** One answered record; {@code correct} is null when its label is unknown. */
    public record Exit(int exitLayer, long latencyMs, boolean atRouter, Boolean correct) {
    }

    /** Summarises {@code exits} of a model with {@code layers} layers. */
    public static ExitSummary of(Collection<Exit> exits, int layers) {
        long[] h = new long[layers];
        int labeled = 0;
        int correct = 0;
        long router = 0;
        for (Exit e : exits) {
            h[e.exitLayer() - 1]++;
            router += e.atRouter() ? 1 : 0;
            if (e.correct() != null) {
                labeled++;
                correct += e.correct() ? 1 : 0;
            }
        }
        double mean = exits.stream().mapToInt(Exit::exitLayer).average().orElse(0);
        long[] lat = exits.stream().mapToLong(Exit::latencyMs).sorted().toArray();
        return new ExitSummary(exits.size(), mean, mean == 0 ? 0 : layers / mean, Stats.percentile(lat, 0.50),
                Stats.percentile(lat, 0.99), router, h, labeled, correct);
    }

    /** Correct over labeled records (NaN when none is labeled). */
    public double accuracy() {
        return labeled == 0 ? Double.NaN : (double) correct / labeled;
    }
}
