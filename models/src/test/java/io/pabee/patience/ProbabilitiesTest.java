package io.pabee.patience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProbabilitiesTest {

    @Test
    void shouldComputeSoftmaxValues() {
        float[] p = Probabilities.softmax(new float[] {0f, (float) Math.log(3)});

        assertThat(p).containsExactly(new float[] {0.25f, 0.75f}, within(1e-6f));
    }

    @Test
    void shouldKeepSoftmaxFiniteForLargeLogits() {
        assertThat(Probabilities.softmax(new float[] {1000f, 1000f}))
                .containsExactly(new float[] {0.5f, 0.5f}, within(1e-6f));
        assertThat(Probabilities.softmax(new float[] {1000f, 0f}))
                .containsExactly(new float[] {1f, 0f}, within(1e-6f));
        assertThat(Probabilities.softmax(new float[] {-1000f, -1000f + (float) Math.log(3)}))
                .containsExactly(new float[] {0.25f, 0.75f}, within(1e-4f));
    }

    @Test
    void shouldMakeSoftmaxShiftInvariant() {
        float[] small = Probabilities.softmax(new float[] {1f, 2f, 3f});
        float[] shifted = Probabilities.softmax(new float[] {501f, 502f, 503f});

        assertThat(shifted).containsExactly(small, within(1e-6f));
        assertThat(small[0] + small[1] + small[2]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void shouldGiveLogKEntropyForUniform() {
        assertThat(Probabilities.entropy(new float[] {0.25f, 0.25f, 0.25f, 0.25f}))
                .isCloseTo((float) Math.log(4), within(1e-6f));
    }

    @Test
    void shouldGiveZeroEntropyForOneHot() {
        assertThat(Probabilities.entropy(new float[] {0f, 1f, 0f})).isEqualTo(0f);
    }

    @Test
    void shouldComputeEntropyOfSkewedDistribution() {
        double expected = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));

        assertThat(Probabilities.entropy(new float[] {0.9f, 0.1f})).isCloseTo((float) expected, within(1e-6f));
    }

    @Test
    void shouldReturnLargestProbability() {
        assertThat(Probabilities.max(new float[] {0.2f, 0.7f, 0.1f})).isEqualTo(0.7f);
    }

    @Test
    void shouldRejectEmptyInput() {
        assertThatThrownBy(() -> Probabilities.softmax(new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> Probabilities.entropy(new float[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Probabilities.max(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
