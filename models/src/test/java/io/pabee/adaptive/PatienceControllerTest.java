package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller's decisions on synthetic load traces. */
class PatienceControllerTest {
    static final int L = 12;
    /** Mean layers and dev accuracy per patience 0..10, shaped like the tuned SST-2 model's. */
    static final double[] ML = {12, 2.29, 3.59, 4.86, 6.03, 7.14, 8.1, 9.0, 9.9, 10.7, 11.4};
    static final double[] ACC = {0.9186, 0.8108, 0.8612, 0.9025, 0.9186, 0.9197, 0.9186, 0.9186, 0.9186, 0.9186, 0.9186};

    static PatienceProfile profile() {
        List<PatienceProfile.Row> rows = new ArrayList<>();
        for (int p = 0; p < ML.length; p++) {
            rows.add(new PatienceProfile.Row(p, ACC[p], ML[p]));
        }
        return new PatienceProfile("SST-2", "dev", "accuracy", 872, L, "v", "test", rows);
    }

    static AdaptiveSettings settings(int minPatience, double drop, long raiseAfterMs, double floor) {
        return new AdaptiveSettings(true, 2000, minPatience, drop, 1000, raiseAfterMs, 0.0, floor);
    }

    /**
     * A queue served at {@code layerRate} record-layers per second: each 1 s interval, arrivals join the
     * backlog and the controller's current level decides how many records the interval serves.
     */
    static final class Queue {
        final PatienceController c;
        final double layerRate;
        double backlog;
        long now;
        final List<Double> levels = new ArrayList<>();
        final List<Double> backlogs = new ArrayList<>();

        Queue(PatienceController c, double layerRate) {
            this.c = c;
            this.layerRate = layerRate;
        }

        void run(double arrivalsPerSecond, int seconds) {
            for (int i = 0; i < seconds; i++) {
                now += 1000;
                double capacity = layerRate / c.meanLayersAt(c.level());
                double before = backlog;
                double work = backlog + arrivalsPerSecond;
                double served = Math.min(work, capacity);
                backlog = work - served;
                // the oldest record started this interval waited behind the backlog that was there, plus one batch
                long age = (long) (1000 * before / capacity) + 100;
                c.observe(new LoadSample(now, 1000, Math.round(backlog), Math.round(served), age));
                levels.add(c.level());
                backlogs.add(backlog);
            }
        }
    }

    @Test
    void shouldStepDownOnePatiencePerIntervalUnderOverloadAndSettleWhereCapacityMeetsArrivals() {
        PatienceController c = new PatienceController(settings(1, 1.0, 10_000, 0.9), 6, L, profile(), null);
        // capacity at patience 6 is 100 records/s; arrivals are 1.5x that
        Queue q = new Queue(c, 100 * ML[6]);
        q.run(150, 120);
        for (int i = 1; i < q.levels.size(); i++) {
            assertThat(q.levels.get(i)).as("one step at most per interval").isGreaterThanOrEqualTo(q.levels.get(i - 1) - 1.0 - 1e-9);
        }
        // settled: the backlog is gone and the level is the highest whose capacity serves the arrivals with the
        // raising margin, not lower
        double settledLevel = q.levels.get(q.levels.size() - 1);
        assertThat(q.levels.subList(60, 120)).allMatch(x -> x == settledLevel);
        assertThat(100 * ML[6] / c.meanLayersAt(settledLevel)).isBetween(150.0, 150 * PatienceController.RAISE_MARGIN * 1.01);
        assertThat(q.backlogs.subList(60, 120)).allMatch(b -> b < 1);
        assertThat(c.plan().lowered()).isTrue();
    }

    @Test
    void shouldNeverGoBelowTheFloorNorBelowTheAllowedAccuracyDrop() {
        PatienceController byMin = new PatienceController(settings(3, 1.0, 10_000, 0.9), 6, L, profile(), null);
        Queue q = new Queue(byMin, 10 * ML[6]); // 10x overload: wants patience 1
        q.run(100, 30);
        assertThat(q.levels).allMatch(x -> x >= 3.0);
        assertThat(byMin.level()).isEqualTo(3.0);

        PatienceController byAccuracy = new PatienceController(settings(1, 0.015, 10_000, 0.9), 6, L, profile(), null);
        // 0.9186 - 0.015 = 0.9036 lies between patience 3 (0.9025) and 4 (0.9186)
        assertThat(byAccuracy.floor()).isCloseTo(3 + (0.9036 - 0.9025) / (0.9186 - 0.9025), within(1e-9));
        Queue q2 = new Queue(byAccuracy, 10 * ML[6]);
        q2.run(100, 30);
        assertThat(q2.levels).allMatch(x -> x >= byAccuracy.floor() - 1e-9);
    }

    @Test
    void shouldHoldWhileTheBacklogIsOnlyModerateAndRaiseOnlyAfterItStayedLow() {
        PatienceController c = new PatienceController(settings(1, 1.0, 5_000, 0.9), 4, L, null, null);
        long t = 0;
        c.observe(new LoadSample(t += 1000, 1000, 500, 100, 1500)); // age 1500 > 1000: at risk
        assertThat(c.level()).isEqualTo(3.0);
        c.observe(new LoadSample(t += 1000, 1000, 60, 100, 700)); // between 500 and 1000 ms: hold
        assertThat(c.level()).isEqualTo(3.0);
        for (int i = 0; i < 4; i++) {
            c.observe(new LoadSample(t += 1000, 1000, 0, 100, 100)); // calm, but not for 5 s yet
            assertThat(c.level()).isEqualTo(3.0);
        }
        c.observe(new LoadSample(t += 1000, 1000, 0, 100, 100));
        c.observe(new LoadSample(t += 1000, 1000, 0, 100, 100));
        assertThat(c.level()).isEqualTo(4.0);
        assertThat(c.plan()).isEqualTo(PatiencePlan.UNLOWERED);
    }

    @Test
    void shouldReturnToTheConfiguredPatienceOnceArrivalsFallBelowCapacity() {
        PatienceController c = new PatienceController(settings(1, 1.0, 5_000, 0.9), 6, L, profile(), null);
        Queue q = new Queue(c, 100 * ML[6]);
        q.run(150, 60);
        assertThat(c.plan().lowered()).isTrue();
        q.run(50, 120);
        assertThat(c.level()).isEqualTo(6.0);
        assertThat(c.plan().lowered()).isFalse();
        // and it went up in steps of at most one patience, with at least 5 s between them
        List<Double> up = q.levels.subList(60, q.levels.size());
        int raises = 0;
        for (int i = 1; i < up.size(); i++) {
            assertThat(up.get(i) - up.get(i - 1)).isLessThanOrEqualTo(1.0 + 1e-9);
            if (up.get(i) > up.get(i - 1)) {
                raises++;
            }
        }
        assertThat(raises).isBetween(1, 6);
    }

    @Test
    void shouldStepWholePatiencesWithoutAProfile() {
        PatienceController c = new PatienceController(settings(2, 1.0, 10_000, 0.9), 5, L, null, null);
        long t = 0;
        for (int i = 0; i < 10; i++) {
            c.observe(new LoadSample(t += 1000, 1000, 1000, 100, 5000));
        }
        assertThat(c.level()).isEqualTo(2.0);
    }

    @Test
    void shouldStopLoweringAndStepBackUpWhileShadowAgreementIsBelowTheFloor() {
        double[] share = {0.95};
        PatienceController c = new PatienceController(settings(1, 1.0, 2_000, 0.9), 6, L, null,
                () -> new PatienceController.AgreementReading(100, share[0]));
        long t = 0;
        for (int i = 0; i < 3; i++) {
            c.observe(new LoadSample(t += 1000, 1000, 1000, 100, 5000));
        }
        assertThat(c.level()).isEqualTo(3.0);
        share[0] = 0.8; // lowered records disagree with full depth too often
        c.observe(new LoadSample(t += 1000, 1000, 1000, 100, 5000));
        assertThat(c.level()).isEqualTo(4.0);
        share[0] = 0.95; // agreement recovered, load still high: no lower than the level agreement pushed it to
        for (int i = 0; i < 5; i++) {
            c.observe(new LoadSample(t += 1000, 1000, 1000, 100, 5000));
        }
        assertThat(c.level()).isGreaterThanOrEqualTo(4.0);
        // too few shadow runs count for nothing
        PatienceController few = new PatienceController(settings(1, 1.0, 2_000, 0.9), 6, L, null,
                () -> new PatienceController.AgreementReading(PatienceController.MIN_SHADOWS - 1, 0.1));
        few.observe(new LoadSample(1000, 1000, 1000, 100, 5000));
        assertThat(few.level()).isEqualTo(5.0);
    }

    @Test
    void shouldTreatFullDepthAsTheHighestPatience() {
        PatienceController c = new PatienceController(settings(1, 1.0, 2_000, 0.9), 0, L, null, null);
        assertThat(c.top()).isEqualTo(L - 1);
        c.observe(new LoadSample(1000, 1000, 1000, 100, 5000));
        assertThat(c.level()).isEqualTo(L - 2);
        assertThat(c.plan().capFor("any")).isEqualTo(L - 2);
    }
}
