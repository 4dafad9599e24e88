package io.pabee.patience;

import static io.pabee.patience.Layers.exitLayer;
import static io.pabee.patience.Layers.probs;
import static io.pabee.patience.Layers.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntropyPolicyTest {

    private static final HeadOutput UNIFORM = probs(0.5f, 0.5f);
    private static final HeadOutput SURE = probs(0.99f, 0.01f);

    @Test
    void shouldExitAtFirstLayerBelowThreshold() {
        // entropies: ln 2 ≈ 0.693, ln 2, ≈ 0.056, ln 2
        assertThat(exitLayer(new EntropyPolicy(0.3f), List.of(UNIFORM, UNIFORM, SURE, UNIFORM))).isEqualTo(3);
    }

    @Test
    void shouldNotExitWhenEntropyEqualsThreshold() {
        float h = Probabilities.entropy(UNIFORM.probabilities());

        assertThat(new EntropyPolicy(h).observe(new ExitState(), 1, 4, UNIFORM)).isFalse();
        assertThat(new EntropyPolicy(Math.nextUp(h)).observe(new ExitState(), 1, 4, UNIFORM)).isTrue();
    }

    @Test
    void shouldNeverExitEarlyWithThresholdZero() {
        HeadOutput oneHot = probs(0f, 1f);

        assertThat(exitLayer(new EntropyPolicy(0f), List.of(oneHot, oneHot, oneHot))).isEqualTo(3);
    }

    @Test
    void shouldExitAtLastLayerEvenWhenUncertain() {
        assertThat(exitLayer(new EntropyPolicy(0.1f), List.of(UNIFORM, UNIFORM))).isEqualTo(2);
    }

    @Test
    void shouldRejectRegressionHead() {
        assertThatThrownBy(() -> new EntropyPolicy(0.3f).observe(new ExitState(), 1, 4, score(1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entropy policy needs class probabilities");
    }

    @Test
    void shouldRejectNegativeOrNaNThreshold() {
        assertThatThrownBy(() -> new EntropyPolicy(-0.1f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new EntropyPolicy(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDescribeItsSetting() {
        assertThat(new EntropyPolicy(0.3f).name()).isEqualTo("entropy");
        assertThat(new EntropyPolicy(0.3f).setting()).isEqualTo("entropy<0.3");
    }
}
