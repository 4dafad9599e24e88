package io.pabee.evaluate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    // confusion matrix: TP=3, FN=2, FP=1, TN=2
    private static final int[] GOLD = {1, 1, 1, 1, 1, 0, 0, 0};
    private static final int[] PRED = {1, 1, 1, 0, 0, 1, 0, 0};

    @Test
    void shouldComputeAccuracy() {
        assertThat(Metrics.accuracy(PRED, GOLD)).isEqualTo(5.0 / 8);
    }

    @Test
    void shouldComputeF1OfPositiveClass() {
        // precision 3/4, recall 3/5 -> 2*3 / (2*3 + 1 + 2)
        assertThat(Metrics.f1(PRED, GOLD)).isCloseTo(6.0 / 9, within(1e-12));
        assertThat(Metrics.f1(new int[] {0, 0}, new int[] {1, 0})).isZero();
    }

    @Test
    void shouldComputeMccFromConfusionMatrix() {
        // (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (6 - 2) / sqrt(4*5*3*4)
        assertThat(Metrics.mcc(PRED, GOLD)).isCloseTo(4 / Math.sqrt(240), within(1e-12));
        assertThat(Metrics.mcc(GOLD, GOLD)).isCloseTo(1.0, within(1e-12));
        int[] inverted = {0, 0, 0, 0, 0, 1, 1, 1};
        assertThat(Metrics.mcc(inverted, GOLD)).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void shouldReturnZeroMccWhenUndefined() {
        assertThat(Metrics.mcc(new int[] {1, 1, 1, 1}, new int[] {1, 0, 1, 0})).isZero();
        assertThat(Metrics.mcc(new int[] {1, 0, 1, 0}, new int[] {0, 0, 0, 0})).isZero();
    }

    @Test
    void shouldComputePearson() {
        // hand-computed: sxy = 11, sxx = 5, syy = 26
        float[] a = {1, 2, 3, 4};
        float[] b = {2, 4, 5, 9};
        assertThat(Metrics.pearson(a, b)).isCloseTo(11 / Math.sqrt(130), within(1e-9));
        assertThat(Metrics.pearson(a, new float[] {8, 6, 4, 2})).isCloseTo(-1.0, within(1e-12));
        assertThat(Metrics.pearson(a, new float[] {3, 3, 3, 3})).isNaN();
    }

    @Test
    void shouldAverageTiedRanksInSpearman() {
        // ranks a = 1, 2.5, 2.5, 4 and b = 1, 3, 2, 4 -> 4.5 / sqrt(4.5 * 5); the no-ties
        // shortcut formula 1 - 6*sum(d^2)/(n(n^2-1)) would give 0.95 instead
        float[] a = {1, 2, 2, 3};
        float[] b = {1, 3, 2, 4};
        assertThat(Metrics.spearman(a, b)).isCloseTo(4.5 / Math.sqrt(22.5), within(1e-9));
    }

    @Test
    void shouldGiveSpearmanOneForMonotoneNonlinear() {
        float[] a = {1, 2, 3, 4, 5};
        float[] b = {1, 8, 27, 64, 125};
        assertThat(Metrics.spearman(a, b)).isCloseTo(1.0, within(1e-12));
        assertThat(Metrics.pearson(a, b)).isLessThan(0.99);
    }

    @Test
    void shouldRejectMismatchedOrEmptyInput() {
        assertThatThrownBy(() -> Metrics.accuracy(new int[] {1}, new int[] {1, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length mismatch");
        assertThatThrownBy(() -> Metrics.pearson(new float[0], new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no examples");
    }
}
