package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The router-K controller on synthetic queue traces: low water 100, high water 400, mostly a window of three samples. */
class RouterLayersControllerTest {
    private static final long LOW = 100;
    private static final long HIGH = 400;

    private static RouterLayersController controller(int start, int min, int max) {
        return new RouterLayersController(new RouterLayers(start, min, max), LOW, HIGH, 3);
    }

    /** Feeds (input, continuations) pairs and returns the K after each. */
    private static List<Integer> feed(RouterLayersController c, long[][] trace) {
        List<Integer> ks = new ArrayList<>();
        for (long[] s : trace) {
            ks.add(c.observe(s[0], s[1]));
        }
        return ks;
    }

    private static long[][] repeat(long input, long continuations, int n) {
        long[][] t = new long[n][];
        for (int i = 0; i < n; i++) {
            t[i] = new long[] {input, continuations};
        }
        return t;
    }

    @Test
    void shouldStepDownOneLayerPerWindowWhileInputIsLongAndThePoolCatchesUp() {
        RouterLayersController c = controller(6, 0, 12);
        assertThat(feed(c, repeat(2000, 0, 9))).containsExactly(6, 6, 5, 5, 5, 4, 4, 4, 3);
    }

    @Test
    void shouldStepDownWhenTheContinuationSawToothReachesLowWaterOncePerWindow() {
        RouterLayersController c = controller(6, 0, 12);
        // a micro-batch of continuations lands every third interval and the pool drains it in time
        long[][] trace = {{2000, 300}, {2000, 150}, {2000, 0}, {2000, 300}, {2000, 150}, {2000, 0}};
        assertThat(feed(c, trace)).containsExactly(6, 6, 5, 5, 5, 4);
    }

    /** n samples of a fixed input lag and continuations growing from {@code from} by {@code step} a sample. */
    private static long[][] growing(long input, long from, long step, int n) {
        long[][] t = new long[n][];
        for (int i = 0; i < n; i++) {
            t[i] = new long[] {input, from + i * step};
        }
        return t;
    }

    @Test
    void shouldStepUpWhileThePoolFallsFurtherBehindWhetherOrNotInputWaits() {
        assertThat(feed(controller(6, 0, 12), growing(50, 1500, 100, 6))).containsExactly(6, 6, 7, 7, 7, 8);
        assertThat(feed(controller(6, 0, 12), growing(5000, 1500, 100, 6))).containsExactly(6, 6, 7, 7, 7, 8);
    }

    @Test
    void shouldHoldWhileTheBacklogOfThePoolShrinks() {
        // the step up worked: the continuations drain, still long, and K stays until they are short
        RouterLayersController c = controller(6, 0, 12);
        assertThat(feed(c, growing(5000, 1500, 100, 3))).containsExactly(6, 6, 7);
        assertThat(feed(c, growing(5000, 1700, -50, 12))).containsOnly(7);
        assertThat(feed(c, repeat(5000, 1000, 12))).as("level: neither growing nor shrinking").containsOnly(7);
    }

    @Test
    void shouldNotStepDownWhileTheContinuationsBuildUp() {
        // a step down has just moved work to the pool: its queue grows from empty, still under the low-water mark
        RouterLayersController c = controller(6, 0, 12);
        assertThat(feed(c, growing(5000, 0, 30, 6))).containsOnly(6);
    }

    @Test
    void shouldHoldWhenBothQueuesAreShortOrEitherIsInTheDeadBand() {
        RouterLayersController c = controller(6, 0, 12);
        assertThat(feed(c, repeat(0, 0, 10))).containsOnly(6);
        // continuations neither short nor long: the pool is keeping roughly level
        assertThat(feed(c, repeat(2000, 250, 10))).containsOnly(6);
        // input in the dead band, continuations short: the router is keeping up
        assertThat(feed(c, repeat(250, 0, 10))).containsOnly(6);
        // the pool was behind, then drained to the dead band within the window
        assertThat(feed(c, new long[][] {{0, 2000}, {0, 2000}, {0, 300}})).containsOnly(6);
    }

    @Test
    void shouldNeedAWholeWindowOfInputBacklog() {
        RouterLayersController c = controller(6, 0, 12);
        // the input drops to the dead band once in every window of three
        long[][] trace = {{2000, 0}, {2000, 0}, {300, 0}, {2000, 0}, {2000, 0}, {300, 0}, {2000, 0}};
        assertThat(feed(c, trace)).containsOnly(6);
        assertThat(feed(c, repeat(2000, 0, 2))).containsExactly(6, 5);
    }

    @Test
    void shouldStayWithinTheBounds() {
        RouterLayersController c = controller(3, 2, 4);
        assertThat(feed(c, repeat(5000, 0, 30))).endsWith(2).allMatch(k -> k >= 2);
        assertThat(feed(c, growing(0, 5000, 10, 30))).endsWith(4).allMatch(k -> k <= 4);
        assertThat(c.layers().current()).isEqualTo(4);
    }

    @Test
    void shouldForgetTheWindowOnAnUnreadableSample() {
        RouterLayersController c = controller(6, 0, 12);
        long[][] trace = {{2000, 0}, {2000, 0}, {-1, 0}, {2000, 0}, {2000, 0}};
        assertThat(feed(c, trace)).containsOnly(6);
        assertThat(c.observe(2000, 0)).isEqualTo(5);
    }

    @Test
    void shouldNotOscillateOnANoisyBalancedTrace() {
        // the default window of ten samples; both queues around 250 records, +-200: now and then past a mark
        RouterLayersController c = new RouterLayersController(new RouterLayers(6, 0, 12), LOW, HIGH, 10);
        Random r = new Random(13);
        List<Integer> ks = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            ks.add(c.observe(250 + r.nextInt(401) - 200, 250 + r.nextInt(401) - 200));
        }
        assertThat(ks).containsOnly(6);
    }

    @Test
    void shouldSettleNextToTheBalanceOnASimulatedPipeline() {
        // a flood of input; per interval the router passes on 1200/K records, the pool finishes 600/(13-K)
        // (fewer layers left = faster): the balance is at K ~ 8.7, and min(router, pool) is highest at K = 9
        RouterLayersController c = new RouterLayersController(new RouterLayers(11, 0, 12), LOW, HIGH, 4);
        double input = 1_000_000;
        double continuations = 0;
        List<Integer> ks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int k = c.layers().current();
            double routed = 1200.0 / Math.max(1, k);
            input -= routed;
            continuations += routed;
            continuations -= Math.min(continuations, 600.0 / (13 - k));
            ks.add(c.observe((long) input, (long) continuations));
        }
        List<Integer> lastHalf = ks.subList(200, 400);
        assertThat(lastHalf).containsOnly(8, 9);
        assertThat(lastHalf.stream().filter(k -> k == 9).count()).as("intervals at K = 9").isGreaterThan(100);
    }

    /** Records per interval the simulated router passes at K (embeddings count as one layer). */
    private static double router(int k) {
        return 1000.0 / (k + 1);
    }

    /** Share of records the simulated router passes on: none exit before layer 5 (patience 4). */
    private static double continuing(int k) {
        return k <= 4 ? 1 : Math.max(0.2, 1 - 0.15 * (k - 4));
    }

    /** Continuations per interval the simulated pool finishes at K. */
    private static double pool(int k) {
        return 1500.0 / (13 - k);
    }

    @Test
    void shouldSettleWhereASimulatedMicroBatchPipelineIsFastest() {
        // the router emits its continuations a micro-batch (512) at a time: the continuation queue is a saw tooth
        double best = 0;
        List<Integer> fastest = new ArrayList<>();
        for (int k = 0; k <= 12; k++) {
            double rate = Math.min(router(k), pool(k) / continuing(k));
            if (rate > best + 1e-9) {
                best = rate;
                fastest.clear();
            }
            if (Math.abs(rate - best) < 1e-9) {
                fastest.add(k);
            }
        }
        assertThat(fastest).containsExactly(4, 5);
        RouterLayersController c = RouterLayersController.forBatch(new RouterLayers(6, 0, 12), 512, 10);
        double input = 1_000_000;
        double done = 0;
        double continuations = 0;
        int[] intervalsAt = new int[13];
        for (int i = 0; i < 2000; i++) {
            int k = c.layers().current();
            done += router(k);
            input -= router(k);
            while (done >= 512) {
                done -= 512;
                continuations += continuing(k) * 512;
            }
            continuations -= Math.min(continuations, pool(k));
            int next = c.observe((long) input, (long) continuations);
            if (i >= 1000) {
                intervalsAt[next]++;
            }
        }
        assertThat(intervalsAt[4] + intervalsAt[5]).as("last half at the fastest K").isEqualTo(1000);
    }

    @Test
    void shouldRejectBadMarks() {
        RouterLayers layers = new RouterLayers(6, 0, 12);
        assertThatThrownBy(() -> new RouterLayersController(layers, 500, 100, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouterLayersController(layers, 0, 100, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDeriveTheMarksFromTheMicroBatch() {
        RouterLayersController c = RouterLayersController.forBatch(new RouterLayers(6, 0, 12), 512, 10);
        assertThat(c.verdict(513, 128, 0)).isEqualTo(RouterLayersController.Move.DOWN);
        assertThat(c.verdict(512, 128, 0)).isEqualTo(RouterLayersController.Move.HOLD);
        assertThat(c.verdict(513, 129, 0)).isEqualTo(RouterLayersController.Move.HOLD);
        assertThat(c.verdict(513, 128, 1)).isEqualTo(RouterLayersController.Move.HOLD);
        assertThat(c.verdict(0, 513, 1)).isEqualTo(RouterLayersController.Move.UP);
        assertThat(c.verdict(0, 513, 0)).isEqualTo(RouterLayersController.Move.HOLD);
        assertThat(c.verdict(0, 512, 1)).isEqualTo(RouterLayersController.Move.HOLD);
    }

    /**
     * A flood through a router taking micro-batches of 512 at {@code rate(K)} records/s, the pool always
     * keeping up; the controller (window 5 s, guard 3%, 3 changes, hold-off 300 s) sampled every second.
     * Returns the K after each second.
     */
    private static List<Integer> guardedFlood(java.util.function.IntToDoubleFunction rate, int start, int seconds) {
        RouterLayersController c = RouterLayersController.forBatch(new RouterLayers(start, 0, 12), 512, 5).guard(0.03, 3, 300_000);
        long consumed = 0;
        double nextBatchMs = 0;
        List<Integer> ks = new ArrayList<>();
        for (long t = 0; t < seconds * 1000L; t += 1000) {
            while (t >= nextBatchMs) {
                consumed += 512;
                nextBatchMs += 512 / rate.applyAsDouble(c.layers().current()) * 1000;
            }
            ks.add(c.observe(1_000_000 - consumed, 0, consumed, t));
        }
        return ks;
    }

    @Test
    void shouldTakeAStepDownBackWhenTheIntakeFellAfterItAndClimbWhileThatRaisesTheIntake() {
        // a pool on the router's CPU: fewer router layers, more continuation traffic, a slower pipeline; fastest at K = 12
        List<Integer> ks = guardedFlood(k -> 100 + 10 * k, 6, 600);
        assertThat(ks.subList(0, 30)).as("one step down, then back").contains(5).endsWith(6);
        assertThat(ks.subList(0, 150)).contains(12);
        List<Integer> lastHalf = ks.subList(300, 600);
        assertThat(lastHalf).allMatch(k -> k >= 10);
        assertThat(lastHalf.stream().filter(k -> k == 12).count()).as("seconds at K = 12").isGreaterThan(250);
    }

    @Test
    void shouldKeepSteppingDownWhileTheIntakeRises() {
        // a pool with its own accelerator: every layer moved to it speeds the router up
        List<Integer> ks = guardedFlood(k -> 300 - 20 * k, 6, 600);
        assertThat(ks.get(ks.size() - 1)).isZero();
        for (int i = 1; i < ks.size(); i++) {
            assertThat(ks.get(i)).as("never back up").isLessThanOrEqualTo(ks.get(i - 1));
        }
    }

    @Test
    void shouldMeasureTheIntakeBetweenChangesOnly() {
        IntakeRate r = new IntakeRate();
        // 512 records every 4 s, sampled every second
        for (int t = 0; t <= 20; t++) {
            r.add(t * 1000L, 512L * (t / 4 + 1));
        }
        assertThat(r.since(-1, 3)).isEqualTo(128.0);
        assertThat(r.since(15_000, 3)).as("too few changes after 15 s").isNaN();
        IntakeRate still = new IntakeRate();
        still.add(0, 0);
        still.add(1000, 0);
        assertThat(still.known()).as("a count that never moved").isFalse();
        assertThat(r.known()).isTrue();
    }
}
