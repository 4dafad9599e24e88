package io.pabee.patience;

import static io.pabee.patience.Layers.exitLayer;
import static io.pabee.patience.Layers.label;
import static io.pabee.patience.Layers.probs;
import static io.pabee.patience.Layers.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PatiencePolicyTest {

    @Test
    void shouldBreakArgmaxTiesTowardsLowestIndex() {
        PatiencePolicy policy = new PatiencePolicy(1);

        // a tie reads as label 0, so it agrees with a following label-0 layer and not with label 1
        assertThat(exitLayer(policy, List.of(probs(0.5f, 0.5f), probs(0.6f, 0.4f), probs(0.4f, 0.6f)))).isEqualTo(2);
        assertThat(exitLayer(policy, List.of(probs(0.5f, 0.5f), probs(0.4f, 0.6f), probs(0.5f, 0.5f)))).isEqualTo(3);
    }

    @Test
    void shouldRunFullDepthWithPatienceZero() {
        List<HeadOutput> agreeing = List.of(label(1), label(1), label(1), label(1), label(1), label(1));

        assertThat(exitLayer(new PatiencePolicy(0), agreeing)).isEqualTo(6);
    }

    @Test
    void shouldExitAtLayerTwoWithPatienceOneWhenFirstTwoLayersAgree() {
        assertThat(exitLayer(new PatiencePolicy(1), List.of(label(2), label(2), label(0), label(0)))).isEqualTo(2);
    }

    @Test
    void shouldResetCounterWhenPredictionChanges() {
        PatiencePolicy policy = new PatiencePolicy(2);
        ExitState state = new ExitState();
        List<HeadOutput> outs = List.of(label(0), label(0), label(1), label(1), label(1), label(1));
        int[] counters = new int[outs.size()];
        boolean[] exits = new boolean[outs.size()];
        for (int layer = 1; layer <= outs.size(); layer++) {
            exits[layer - 1] = policy.observe(state, layer, outs.size(), outs.get(layer - 1));
            counters[layer - 1] = state.counter;
        }

        assertThat(counters).containsExactly(0, 1, 0, 1, 2, 3);
        assertThat(exits).containsExactly(false, false, false, false, true, true);
    }

    @Test
    void shouldNotExitAtLayerOneWhenDeeperLayersFollow() {
        ExitState state = new ExitState();

        assertThat(new PatiencePolicy(1).observe(state, 1, 4, label(0))).isFalse();
        assertThat(state.counter).isZero();
        assertThat(state.previousLabel).isZero();
        assertThat(state.layersSeen).isEqualTo(1);
    }

    @Test
    void shouldExitAtLayerOneWhenModelHasOneLayer() {
        assertThat(new PatiencePolicy(3).observe(new ExitState(), 1, 1, label(0))).isTrue();
    }

    @Test
    void shouldAlwaysExitAtLastLayer() {
        List<HeadOutput> alternating = List.of(label(0), label(1), label(0), label(1));

        assertThat(exitLayer(new PatiencePolicy(1), alternating)).isEqualTo(4);
    }

    @Test
    void shouldRunToLastLayerWhenPatienceExceedsDepth() {
        List<HeadOutput> agreeing = List.of(label(1), label(1), label(1), label(1));

        assertThat(exitLayer(new PatiencePolicy(10), agreeing)).isEqualTo(4);
    }

    @Test
    void shouldCountRegressionDeltaBelowThreshold() {
        List<HeadOutput> outs = List.of(score(1.0f), score(1.25f), score(3f));

        assertThat(exitLayer(new PatiencePolicy(1, 0.5f), outs)).isEqualTo(2);
    }

    @Test
    void shouldNotCountRegressionDeltaEqualToThreshold() {
        // 1.0 and 1.5 are exact in binary, so |Δ| is exactly the threshold
        ExitState state = new ExitState();
        PatiencePolicy policy = new PatiencePolicy(1, 0.5f);
        policy.observe(state, 1, 3, score(1.0f));

        assertThat(policy.observe(state, 2, 3, score(1.5f))).isFalse();
        assertThat(state.counter).isZero();
        assertThat(state.previousScore).isEqualTo(1.5f);
    }

    @Test
    void shouldRunRegressionToFullDepthWithoutThreshold() {
        List<HeadOutput> constant = List.of(score(2f), score(2f), score(2f), score(2f));

        assertThat(exitLayer(new PatiencePolicy(1), constant)).isEqualTo(4);
    }

    @Test
    void shouldExitAtSameLayerWhenResumedMidWay() {
        PatiencePolicy policy = new PatiencePolicy(2);
        List<HeadOutput> outs = IntStream.of(0, 1, 1, 2, 0, 0, 1, 1, 1, 2, 2, 2)
                .mapToObj(Layers::label).toList();
        int straight = exitLayer(policy, outs);

        assertThat(straight).isEqualTo(9);
        for (int split = 1; split < straight; split++) {
            ExitState before = new ExitState();
            assertThat(exitLayer(policy, before, 1, split, outs)).as("no exit up to layer %d", split).isEqualTo(-1);
            ExitState shipped = ExitState.resume(before.layersSeen, before.counter, before.previousLabel,
                    before.previousScore);

            assertThat(exitLayer(policy, shipped, split + 1, outs)).as("resumed after layer %d", split)
                    .isEqualTo(straight);
        }
    }

    @Test
    void shouldExitAtSameRegressionLayerWhenResumedMidWay() {
        PatiencePolicy policy = new PatiencePolicy(2, 0.1f);
        List<HeadOutput> outs = List.of(score(0f), score(1f), score(1.05f), score(2f), score(2.02f),
                score(2.04f), score(2.06f), score(5f));
        int straight = exitLayer(policy, outs);
        ExitState before = new ExitState();
        assertThat(exitLayer(policy, before, 1, 5, outs)).isEqualTo(-1);
        ExitState shipped = ExitState.resume(before.layersSeen, before.counter, before.previousLabel,
                before.previousScore);

        assertThat(straight).isEqualTo(6);
        assertThat(exitLayer(policy, shipped, 6, outs)).isEqualTo(straight);
    }

    @Test
    void shouldRejectNegativePatienceAndThreshold() {
        assertThatThrownBy(() -> new PatiencePolicy(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patience must be >= 0");
        assertThatThrownBy(() -> new PatiencePolicy(1, Float.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
    }

    @Test
    void shouldDescribeItsSetting() {
        assertThat(new PatiencePolicy(3).name()).isEqualTo("patience");
        assertThat(new PatiencePolicy(3).setting()).isEqualTo("patience=3");
        assertThat(new PatiencePolicy(3, 0.5f).setting()).isEqualTo("patience=3,threshold=0.5");
    }
}
