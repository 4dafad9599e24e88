package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code bench adaptive}'s arithmetic on synthetic runs: arrivals per phase, settling time, return of patience, accuracy. */
class AdaptiveSummaryTest {
    private static final List<PacedLoad.Phase> PHASES = List.of(new PacedLoad.Phase("overload", 10, 30, 100),
            new PacedLoad.Phase("recovery", 5, 10, 0));

    @Test
    void shouldSendEachPhasesBurstAtItsStartThenItsRate() {
        assertThat(PacedLoad.due(PHASES, 0)).isEqualTo(100);
        assertThat(PacedLoad.due(PHASES, 2)).isEqualTo(160);
        assertThat(PacedLoad.due(PHASES, 10)).isEqualTo(400);
        assertThat(PacedLoad.due(PHASES, 12)).isEqualTo(420);
        assertThat(PacedLoad.due(PHASES, 99)).isEqualTo(450);
        assertThat(PacedLoad.phaseAt(PHASES, 9.9)).isEqualTo("overload");
        assertThat(PacedLoad.phaseAt(PHASES, 10)).isEqualTo("recovery");
        assertThat(PacedLoad.phaseAt(PHASES, 15)).isEqualTo("drain");
    }

    @Test
    void shouldSettleAfterTheLastSecondWhoseRollingP99IsOverTheTarget() {
        // latency 5 s in seconds 0..3, then 100 ms: with a 2 s window, second 4 still sees second 3
        Map<Integer, PacedLoad.Outcome> o = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            double at = i / 10.0;
            o.put(i, result(i, at < 4 ? 5000 : 100, 4, null, at, true));
        }
        PacedLoad.Run run = run(o, 100, List.of());
        assertThat(AdaptiveSummary.settlingSecond(run, 1000, 2)).isEqualTo(5);
        assertThat(AdaptiveSummary.settlingSecond(run, 1000, 1)).isEqualTo(4);
        assertThat(AdaptiveSummary.settlingSecond(run, 10_000, 2)).isZero();
        // over the target at the end: never settled
        o.put(100, result(100, 5000, 4, null, 9.95, true));
        assertThat(AdaptiveSummary.settlingSecond(run(o, 101, List.of()), 1000, 2)).isNull();
    }

    @Test
    void shouldTimeTheReturnToTheConfiguredPatienceFromWhenArrivalsDropped() {
        List<PacedLoad.Second> s = new ArrayList<>();
        double[] patience = {4, 2, 1, 1, 2, 3, 4, 4, 3, 4, 4};
        for (int i = 0; i < patience.length; i++) {
            s.add(second(i, i < 3 ? "overload" : "recovery", patience[i]));
        }
        // arrivals dropped at 3 s; patience is 4 from second 9 on (second 6 went back up, 8 fell again)
        assertThat(AdaptiveSummary.returnSeconds(s, 3, 4, PacedLoad.Second::meanPatience)).isEqualTo(6.0);
        assertThat(AdaptiveSummary.returnSeconds(s.subList(0, 9), 3, 4, PacedLoad.Second::meanPatience)).isNull();
        // seconds without results are skipped; none at all: unknown
        s.add(second(11, "drain", null));
        assertThat(AdaptiveSummary.returnSeconds(s, 3, 4, PacedLoad.Second::meanPatience)).isEqualTo(6.0);
        assertThat(AdaptiveSummary.returnSeconds(s, 3, 4, PacedLoad.Second::plannedPatience)).isNull();
    }

    @Test
    void shouldCountUnansweredRecordsAsWrongAndCompareOnCommonRecords() {
        Map<Integer, PacedLoad.Outcome> a = new HashMap<>();
        a.put(0, result(0, 10, 4, null, 0, true));
        a.put(1, result(1, 10, 4, null, 0, false));
        a.put(2, new PacedLoad.Outcome(2, true, null, -1, null, null, null, 0));
        Map<Integer, PacedLoad.Outcome> b = new HashMap<>();
        b.put(0, result(0, 10, 1, "load", 0, true));
        b.put(1, result(1, 10, 1, "load", 0, true));
        b.put(2, result(2, 10, 4, null, 0, true));
        PacedLoad.Run ra = run(a, 4, List.of());
        PacedLoad.Run rb = run(b, 3, List.of());
        assertThat(AdaptiveSummary.accuracy(ra, i -> true)).isEqualTo(0.25);
        assertThat(AdaptiveSummary.accuracy(rb, i -> true)).isEqualTo(1.0);
        Set<Integer> common = AdaptiveSummary.answeredByAll(List.of(ra, rb));
        assertThat(common).containsExactlyInAnyOrder(0, 1);
        Map<String, Object> row = AdaptiveSummary.row(rb, "adaptive", 50, 4, 1000, 10, 0, common, List.of());
        assertThat(row.get("accuracy_common")).isEqualTo(1.0);
        assertThat(row.get("lowered_load")).isEqualTo(2L);
        assertThat((Double) row.get("degraded_share")).isEqualTo(2 / 3.0);
        assertThat(row.get("min_patience_used")).isEqualTo(1);
        assertThat(row.get("lost")).isEqualTo(0L);
        assertThat(row.get("shadow_agreement")).isNull();
        assertThat(AdaptiveSummary.row(ra, "fixed", 50, 4, 1000, 10, 0, common, List.of()).get("dead_letters")).isEqualTo(1);
    }

    private static PacedLoad.Outcome result(int i, long latency, int patience, String reason, double at, boolean correct) {
        return new PacedLoad.Outcome(i, false, correct, latency, patience, 4, reason, at);
    }

    private static PacedLoad.Second second(int i, String phase, Double patience) {
        return new PacedLoad.Second(i, phase, 0, 0, 0, patience == null ? 0 : 1, null, null, patience, 0, null, null);
    }

    private static PacedLoad.Second second(int i, String phase, double patience) {
        return second(i, phase, Double.valueOf(patience));
    }

    private static PacedLoad.Run run(Map<Integer, PacedLoad.Outcome> o, long produced, List<PacedLoad.Second> seconds) {
        long lost = produced - o.keySet().stream().filter(i -> i < produced).count();
        return new PacedLoad.Run("r", PHASES, produced, o, 0, lost, seconds, 15, 10);
    }
}
