package io.pabee.patience;

import static io.pabee.patience.Layers.exitLayer;
import static io.pabee.patience.Layers.label;
import static io.pabee.patience.Layers.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixedDepthPolicyTest {

    @Test
    void shouldExitAtLayerK() {
        List<HeadOutput> changing = List.of(label(0), label(1), label(2), label(0), label(1), label(2));

        assertThat(exitLayer(new FixedDepthPolicy(3), changing)).isEqualTo(3);
    }

    @Test
    void shouldExitAtLastLayerWhenKExceedsDepth() {
        assertThat(exitLayer(new FixedDepthPolicy(8), Collections.nCopies(6, label(1)))).isEqualTo(6);
    }

    @Test
    void shouldExitAtLayerOneWithKOne() {
        assertThat(exitLayer(new FixedDepthPolicy(1), Collections.nCopies(6, score(0.5f)))).isEqualTo(1);
    }

    @Test
    void shouldExitAtSameLayerWhenResumedMidWay() {
        FixedDepthPolicy policy = new FixedDepthPolicy(5);
        List<HeadOutput> outs = Collections.nCopies(6, label(1));
        ExitState shipped = ExitState.resume(3, 0, -1, Float.NaN);

        assertThat(exitLayer(policy, shipped, 4, outs)).isEqualTo(5);
        assertThat(shipped.layersSeen).isEqualTo(5);
    }

    @Test
    void shouldRejectKBelowOne() {
        assertThatThrownBy(() -> new FixedDepthPolicy(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k must be >= 1");
    }

    @Test
    void shouldDescribeItsSetting() {
        assertThat(new FixedDepthPolicy(3).name()).isEqualTo("fixed");
        assertThat(new FixedDepthPolicy(3).setting()).isEqualTo("k=3");
    }
}
