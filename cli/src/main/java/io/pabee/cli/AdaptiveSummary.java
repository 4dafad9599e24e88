package io.pabee.cli;

import io.pabee.bench.Stats;
import io.pabee.schema.ShadowResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The numbers of {@code bench adaptive}: what a paced run's outcomes and seconds add up to, as one report row. */
final class AdaptiveSummary {
    private AdaptiveSummary() {
    }

    /**
     * The settling time: the first whole second after which the rolling p99 latency (results read in the last
     * {@code window} seconds) stays below {@code sloMs} until the run ends; 0 when it always did, null when it
     * is over the target at the end.
     */
    static Integer settlingSecond(PacedLoad.Run run, long sloMs, int window) {
        int n = (int) Math.ceil(run.endSeconds()) + 1;
        List<List<Long>> bySecond = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bySecond.add(new ArrayList<>());
        }
        for (PacedLoad.Outcome o : run.outcomes().values()) {
            if (!o.dead()) {
                bySecond.get(Math.min(n - 1, (int) o.at())).add(o.latencyMs());
            }
        }
        Integer settled = 0;
        for (int t = 0; t < n; t++) {
            List<Long> w = new ArrayList<>();
            for (int s = Math.max(0, t - window + 1); s <= t; s++) {
                w.addAll(bySecond.get(s));
            }
            long p99 = Stats.percentile(w.stream().mapToLong(Long::longValue).sorted().toArray(), 0.99);
            if (!w.isEmpty() && p99 >= sloMs) {
                settled = t + 1 < n ? t + 1 : null;
            }
        }
        return settled;
    }

    /**
     * Seconds from {@code from} (when arrivals dropped) until {@code value} of every later second that has one
     * equals {@code configured}: 0 when it already did, null when it still differs at the end or no second has one.
     */
    static Double returnSeconds(List<PacedLoad.Second> seconds, double from, int configured,
                                java.util.function.Function<PacedLoad.Second, Double> value) {
        Double back = null;
        boolean any = false;
        for (PacedLoad.Second s : seconds) {
            Double v = value.apply(s);
            if (s.second() + 1 <= from || v == null) {
                continue;
            }
            any = true;
            if (Math.abs(v - configured) > 1e-9) {
                back = null;
            } else if (back == null) {
                back = Math.max(0, s.second() - from);
            }
        }
        return any ? back : null;
    }

    /** p50 and p99 latency (ms) of the results read at or after {@code after} seconds; nulls when none. */
    static Long[] latency(PacedLoad.Run run, double after) {
        long[] l = run.outcomes().values().stream().filter(o -> !o.dead() && o.at() >= after).mapToLong(PacedLoad.Outcome::latencyMs)
                .sorted().toArray();
        return l.length == 0 ? new Long[] {null, null} : new Long[] {Stats.percentile(l, 0.5), Stats.percentile(l, 0.99)};
    }

    /** Correct results / produced indices that pass {@code among} (an unanswered index counts as wrong); null when none. */
    static Double accuracy(PacedLoad.Run run, Predicate<Integer> among) {
        long n = 0;
        long correct = 0;
        for (int i = 0; i < run.produced(); i++) {
            if (among.test(i)) {
                n++;
                PacedLoad.Outcome o = run.outcomes().get(i);
                if (o != null && Boolean.TRUE.equals(o.correct())) {
                    correct++;
                }
            }
        }
        return n == 0 ? null : (double) correct / n;
    }

    /** Indices that have a result (not a dead letter) in every run. */
    static Set<Integer> answeredByAll(List<PacedLoad.Run> runs) {
        Set<Integer> common = new java.util.HashSet<>();
        runs.get(0).outcomes().forEach((i, o) -> {
            if (!o.dead()) {
                common.add(i);
            }
        });
        for (PacedLoad.Run r : runs.subList(1, runs.size())) {
            common.removeIf(i -> r.outcomes().get(i) == null || r.outcomes().get(i).dead());
        }
        return common;
    }

    /**
     * One report row: counts, exactly-once, latency (all and from {@code settledAt} seconds on), accuracy
     * (all produced, and on {@code common}), degraded share, patience, shadow agreement and the return to the
     * configured patience after the {@code recovery} phase began.
     */
    static Map<String, Object> row(PacedLoad.Run run, String mode, double capacity, int patience, long sloMs, int window,
                                   Integer settledAt, Set<Integer> common, List<ShadowResult> shadow) {
        List<PacedLoad.Outcome> results = run.outcomes().values().stream().filter(o -> !o.dead()).toList();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", run.name());
        r.put("mode", mode);
        r.put("patience_configured", patience);
        r.put("capacity_per_s", capacity);
        r.put("rates_per_s", run.phases().stream().map(p -> p.name() + " " + Math.round(p.rate() * 10) / 10.0 + "/s x "
                + p.seconds() + " s").toList());
        r.put("produced", run.produced());
        r.put("results", results.size());
        r.put("dead_letters", run.outcomes().size() - results.size());
        r.put("lost", run.lost());
        r.put("duplicates", run.duplicates());
        r.put("max_backlog", run.maxBacklog());
        r.put("drain_seconds", Math.max(0, run.endSeconds() - run.produceSeconds()));
        Long[] all = latency(run, 0);
        r.put("latency_p50_ms", all[0]);
        r.put("latency_p99_ms", all[1]);
        r.put("slo_ms", sloMs);
        r.put("settling_s", settlingSecond(run, sloMs, window));
        r.put("after_s", settledAt);
        Long[] after = settledAt == null ? new Long[] {null, null} : latency(run, settledAt);
        r.put("latency_p50_after_ms", after[0]);
        r.put("latency_p99_after_ms", after[1]);
        r.put("accuracy", accuracy(run, i -> true));
        r.put("common_records", common.size());
        r.put("accuracy_common", accuracy(run, common::contains));
        long degraded = results.stream().filter(o -> o.loweredReason() != null).count();
        r.put("degraded_share", results.isEmpty() ? null : (double) degraded / results.size());
        r.put("lowered_load", results.stream().filter(o -> "load".equals(o.loweredReason())).count());
        r.put("lowered_budget", results.stream().filter(o -> "budget".equals(o.loweredReason())).count());
        List<Integer> used = results.stream().map(PacedLoad.Outcome::patienceUsed).filter(java.util.Objects::nonNull).toList();
        r.put("mean_patience_used", used.isEmpty() ? null : used.stream().mapToInt(Integer::intValue).average().orElse(0));
        r.put("min_patience_used", used.stream().mapToInt(Integer::intValue).min().stream().boxed().findFirst().orElse(null));
        r.put("shadow_count", shadow.size());
        r.put("shadow_agreement", shadow.isEmpty() ? null : (double) shadow.stream().filter(ShadowResult::getAgree).count() / shadow.size());
        List<ShadowResult> lowered = shadow.stream().filter(s -> s.getLoweredReason() != null).toList();
        r.put("shadow_agreement_lowered", lowered.isEmpty() ? null
                : (double) lowered.stream().filter(ShadowResult::getAgree).count() / lowered.size());
        double drop = run.phaseStart("recovery");
        r.put("patience_return_s", returnSeconds(run.seconds(), drop, patience, PacedLoad.Second::meanPatience));
        r.put("planned_patience_return_s", returnSeconds(run.seconds(), drop, patience, PacedLoad.Second::plannedPatience));
        r.put("worker_planned_patience_return_s", returnSeconds(run.seconds(), drop, patience,
                PacedLoad.Second::workerPlannedPatience));
        r.put("seconds", run.endSeconds());
        return r;
    }
}
