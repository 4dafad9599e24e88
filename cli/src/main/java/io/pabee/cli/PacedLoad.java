package io.pabee.cli;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Arrivals in phases, each at its own rate, through a running {@link LocalPipeline}, then a drain. Records what
 * each id got (a result with its latency, patience and why it was lowered, or a dead letter) and what each second
 * saw: produced, answered, backlog, latency and patience of the results answered in it, and the router's planned
 * patience gauge. Ids are {@code <name>-<index>}; index {@code i} carries text {@code i mod texts}, so two runs
 * with the same phases send the same texts under the same indices.
 */
final class PacedLoad {
    /** The gauge of the mean patience the router plans for the next records (adaptive patience; absent without it). */
    static final String PLANNED_PATIENCE_GAUGE = "pabee_adaptive_patience";

    /** {@code burst} events at once when it begins, then {@code seconds} of arrivals at {@code rate} events per second. */
    record Phase(String name, double seconds, double rate, long burst) {
    }

    /**
     * What one id got: a result ({@code dead} false) with its correctness (null when the text has no label),
     * latency (event time to exit), patience used and configured and why it was lowered (null: not lowered, or
     * a build without adaptive patience), or a dead letter; {@code at} = seconds since the run started when it was read.
     */
    record Outcome(int index, boolean dead, Boolean correct, long latencyMs, Integer patienceUsed, Integer patienceConfigured,
                   String loweredReason, double at) {
    }

    /**
     * One second of a run: totals at its end, and of the results read during it their count, latency percentiles
     * (null when none), mean patience used (null when none carried one) and how many were lowered; the planned
     * patience of the router and of the worker pool (null without the gauge).
     */
    record Second(int second, String phase, long produced, long answered, long backlog, int results, Long p50Ms, Long p99Ms,
                  Double meanPatience, int degraded, Double plannedPatience, Double workerPlannedPatience) {
    }

    /**
     * A whole run: the first outcome of each index, ids answered more than once (in results or dead letters),
     * produced indices with no answer, the seconds, and when production stopped and the drain ended (seconds since start).
     */
    record Run(String name, List<Phase> phases, long produced, Map<Integer, Outcome> outcomes, long duplicates, long lost,
               List<Second> seconds, double produceSeconds, double endSeconds) {
        long maxBacklog() {
            return seconds.stream().mapToLong(Second::backlog).max().orElse(0);
        }

        /** Seconds since the start at which the phase {@code name} begins (the end of all phases when absent). */
        double phaseStart(String name) {
            double t = 0;
            for (Phase p : phases) {
                if (p.name().equals(name)) {
                    return t;
                }
                t += p.seconds();
            }
            return t;
        }
    }

    /** Told about each second right after it is sampled; may act on the pipeline (a test restarts the router). */
    interface Observer {
        void second(Second s, LocalPipeline pipeline) throws Exception;
    }

    private PacedLoad() {
    }

    /** The events for indices {@code from..to-1} of run {@code name}. */
    static List<TextEvents.Item> items(String name, List<TextEvents.Item> texts, long from, long to) {
        List<TextEvents.Item> out = new ArrayList<>((int) (to - from));
        for (long i = from; i < to; i++) {
            TextEvents.Item t = texts.get((int) (i % texts.size()));
            out.add(new TextEvents.Item(name + "-" + i, t.text(), t.pair(), t.label()));
        }
        return out;
    }

    /**
     * Capacity: {@code n} events sent at once, answered/s from the send to the last answer (the pipeline drained),
     * under ids {@code <name>-<index>}.
     */
    static double capacity(LocalPipeline p, String name, List<TextEvents.Item> texts, int n) {
        LocalPipeline.Run r = p.run(items(name, texts, 0, n), x -> { }, x -> { });
        return (r.results().size() + r.dead().size()) / r.seconds();
    }

    /** The router's planned patience now, or null when the pipeline publishes no such gauge. */
    static Double plannedPatience(MeterRegistry metrics) {
        return plannedPatience(metrics, "router");
    }

    /** The planned patience of {@code role} (router or worker) now, or null when the pipeline publishes no such gauge. */
    static Double plannedPatience(MeterRegistry metrics, String role) {
        Gauge g = metrics.find(PLANNED_PATIENCE_GAUGE).tag("role", role).gauge();
        return g == null || !Double.isFinite(g.value()) ? null : g.value();
    }

    /**
     * Runs the phases one after the other, then drains until every produced id is answered or {@code maxDrain}
     * has passed since production stopped.
     */
    static Run run(LocalPipeline p, String name, List<TextEvents.Item> texts, List<Phase> phases, Duration maxDrain,
                   Observer observer, Consumer<String> progress) throws Exception {
        String prefix = name + "-";
        Map<Integer, Outcome> outcomes = new HashMap<>();
        long[] duplicates = {0};
        long[] answered = {0};
        List<Outcome> thisSecond = new ArrayList<>();
        List<Second> seconds = new ArrayList<>();
        double produceSeconds = phases.stream().mapToDouble(Phase::seconds).sum();
        long start = System.nanoTime();
        long endProduce = start + (long) (produceSeconds * 1e9);
        Consumer<Outcome> record = o -> {
            answered[0]++;
            if (outcomes.putIfAbsent(o.index(), o) != null) {
                duplicates[0]++;
            }
            thisSecond.add(o);
        };
        Consumer<Classification> onResult = c -> {
            Integer index = index(prefix, c.getId());
            if (index != null) {
                TextEvents.Item t = texts.get(index % texts.size());
                record.accept(new Outcome(index, false, t.label() < 0 ? null : c.getLabelIndex() == t.label(), c.getLatencyMs(),
                        c.getPatienceUsed(), c.getPatienceConfigured(), c.getLoweredReason(), (System.nanoTime() - start) / 1e9));
            }
        };
        Consumer<DeadLetter> onDead = d -> {
            Integer index = d.getId() == null ? null : index(prefix, d.getId());
            if (index != null) {
                record.accept(new Outcome(index, true, null, -1, null, null, null, (System.nanoTime() - start) / 1e9));
            }
        };
        long produced = 0;
        long nextSample = start + 1_000_000_000L;
        try (LocalPipeline.Input input = p.input()) {
            while (true) {
                long now = System.nanoTime();
                if (now < endProduce) {
                    long due = due(phases, (now - start) / 1e9);
                    if (due > produced) {
                        input.send(items(name, texts, produced, due));
                        produced = due;
                    }
                } else if (answered[0] - duplicates[0] >= produced || now - endProduce > maxDrain.toNanos()) {
                    break;
                }
                p.poll(onResult, onDead);
                if (System.nanoTime() >= nextSample) {
                    double t = (System.nanoTime() - start) / 1e9;
                    // second k covers (k, k+1] s after the start; after a stall (a router restart) the seconds missed stay missing
                    Second s = second(Math.max(0, (int) Math.floor(t) - 1), phaseAt(phases, t), produced,
                            answered[0] - duplicates[0], thisSecond, p.metrics());
                    thisSecond.clear();
                    seconds.add(s);
                    progress.accept(String.format("%s t=%4ds %-8s produced %6d answered %6d backlog %5d p99 %5s ms patience %s "
                            + "planned router %s worker %s", name, s.second() + 1, s.phase(), s.produced(), s.answered(), s.backlog(),
                            s.p99Ms() == null ? "-" : s.p99Ms(), two(s.meanPatience()), two(s.plannedPatience()),
                            two(s.workerPlannedPatience())));
                    observer.second(s, p);
                    long nextWhole = start + ((System.nanoTime() - start) / 1_000_000_000L + 1) * 1_000_000_000L;
                    nextSample = Math.max(nextSample + 1_000_000_000L, nextWhole);
                }
            }
        }
        double end = (System.nanoTime() - start) / 1e9;
        if (!thisSecond.isEmpty()) {
            seconds.add(second((int) Math.floor(end), "drain", produced, answered[0] - duplicates[0], thisSecond, p.metrics()));
        }
        long lost = 0;
        for (int i = 0; i < produced; i++) {
            if (!outcomes.containsKey(i)) {
                lost++;
            }
        }
        return new Run(name, List.copyOf(phases), produced, outcomes, duplicates[0], lost, seconds, produceSeconds, end);
    }

    /** Events due {@code t} seconds after the start: the bursts of the phases begun, and each one's rate over its part passed. */
    static long due(List<Phase> phases, double t) {
        double n = 0;
        double begin = 0;
        for (Phase ph : phases) {
            if (t >= begin) {
                n += ph.burst();
            }
            n += ph.rate() * Math.max(0, Math.min(t, begin + ph.seconds()) - begin);
            begin += ph.seconds();
        }
        return (long) n;
    }

    /** The phase running {@code t} seconds after the start ({@code drain} after the last). */
    static String phaseAt(List<Phase> phases, double t) {
        double begin = 0;
        for (Phase ph : phases) {
            begin += ph.seconds();
            if (t < begin) {
                return ph.name();
            }
        }
        return "drain";
    }

    private static Integer index(String prefix, String id) {
        if (!id.startsWith(prefix)) {
            return null;
        }
        try {
            return Integer.parseInt(id.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String two(Double v) {
        return v == null ? "-" : String.format("%.2f", v);
    }

    private static Second second(int n, String phase, long produced, long answered, List<Outcome> got, MeterRegistry metrics) {
        long[] latencies = got.stream().filter(o -> !o.dead()).mapToLong(Outcome::latencyMs).sorted().toArray();
        double patienceSum = 0;
        int withPatience = 0;
        int degraded = 0;
        for (Outcome o : got) {
            if (o.patienceUsed() != null) {
                patienceSum += o.patienceUsed();
                withPatience++;
            }
            if (o.loweredReason() != null) {
                degraded++;
            }
        }
        return new Second(n, phase, produced, answered, produced - answered, latencies.length,
                latencies.length == 0 ? null : io.pabee.bench.Stats.percentile(latencies, 0.5),
                latencies.length == 0 ? null : io.pabee.bench.Stats.percentile(latencies, 0.99),
                withPatience == 0 ? null : patienceSum / withPatience, degraded, plannedPatience(metrics, "router"),
                plannedPatience(metrics, "worker"));
    }
}
