package io.pabee.patience;

import static io.pabee.patience.Layers.exitLayer;
import static io.pabee.patience.Layers.probs;
import static io.pabee.patience.Layers.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidencePolicyTest {

    @Test
    void shouldExitAtFirstLayerReachingThreshold() {
        List<HeadOutput> outs = List.of(probs(0.6f, 0.4f), probs(0.3f, 0.7f), probs(0.05f, 0.95f), probs(1f, 0f));

        assertThat(exitLayer(new ConfidencePolicy(0.9f), outs)).isEqualTo(3);
    }

    @Test
    void shouldExitWhenMaxProbabilityEqualsThreshold() {
        HeadOutput out = probs(0.25f, 0.75f);

        assertThat(new ConfidencePolicy(0.75f).observe(new ExitState(), 1, 4, out)).isTrue();
        assertThat(new ConfidencePolicy(Math.nextUp(0.75f)).observe(new ExitState(), 1, 4, out)).isFalse();
    }

    @Test
    void shouldExitAtLastLayerEvenWhenUnsure() {
        assertThat(exitLayer(new ConfidencePolicy(1f), List.of(probs(0.5f, 0.5f), probs(0.6f, 0.4f)))).isEqualTo(2);
    }

    @Test
    void shouldRejectRegressionHead() {
        assertThatThrownBy(() -> new ConfidencePolicy(0.9f).observe(new ExitState(), 4, 4, score(1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("confidence policy needs class probabilities");
    }

    @Test
    void shouldRejectThresholdOutsideUnitInterval() {
        assertThatThrownBy(() -> new ConfidencePolicy(1.5f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new ConfidencePolicy(-0.1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfidencePolicy(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDescribeItsSetting() {
        assertThat(new ConfidencePolicy(0.9f).name()).isEqualTo("confidence");
        assertThat(new ConfidencePolicy(0.9f).setting()).isEqualTo("confidence>=0.9");
    }
}
