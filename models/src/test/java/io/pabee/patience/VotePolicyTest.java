package io.pabee.patience;

import static io.pabee.patience.Layers.exitLayer;
import static io.pabee.patience.Layers.label;
import static io.pabee.patience.Layers.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VotePolicyTest {

    private final VotePolicy policy = new VotePolicy();

    /** Runs all layers and returns the vote's prediction. */
    private Prediction vote(List<HeadOutput> outs) {
        ExitState state = new ExitState();
        assertThat(exitLayer(policy, state, 1, outs)).isEqualTo(outs.size());
        return policy.predict(state, outs.get(outs.size() - 1));
    }

    private static List<HeadOutput> labels(int... labels) {
        return IntStream.of(labels).mapToObj(Layers::label).toList();
    }

    @Test
    void shouldNeverExitBeforeLastLayer() {
        assertThat(exitLayer(policy, Collections.nCopies(6, label(0)))).isEqualTo(6);
    }

    @Test
    void shouldPredictMajorityLabelWithVoteShares() {
        Prediction p = vote(labels(0, 1, 1, 2, 1));

        assertThat(p.label()).isEqualTo(1);
        assertThat(p.probabilities()).containsExactly(new float[] {0.2f, 0.6f, 0.2f}, within(1e-6f));
        assertThat(p.score()).isNaN();
    }

    @Test
    void shouldBreakTieTowardsLabelOfLatestLayerAmongTied() {
        // labels 0 and 1 tie at two votes; the last layer votes 2, which is not tied, so the
        // latest tied vote decides — not the lowest index and not the last layer
        assertThat(vote(labels(0, 1, 0, 1, 2)).label()).isEqualTo(1);
        assertThat(vote(labels(1, 0, 1, 0, 2)).label()).isEqualTo(0);
    }

    @Test
    void shouldAverageRegressionScores() {
        Prediction p = vote(List.of(score(1f), score(2f), score(3f), score(6f)));

        assertThat(p.score()).isEqualTo(3f);
        assertThat(p.label()).isEqualTo(-1);
        assertThat(p.probabilities()).isNull();
    }

    @Test
    void shouldPredictTheSameWhenResumedMidWay() {
        List<HeadOutput> outs = labels(0, 1, 0, 1, 2);
        ExitState before = new ExitState();
        assertThat(exitLayer(policy, before, 1, 3, outs)).isEqualTo(-1);
        ExitState shipped = ExitState.resume(before.layersSeen, before.counter, before.previousLabel,
                before.previousScore, before.votes, before.lastVoteLayer, before.scoreSum);

        assertThat(exitLayer(policy, shipped, 4, outs)).isEqualTo(5);
        Prediction resumed = policy.predict(shipped, outs.get(4));
        assertThat(resumed.label()).isEqualTo(vote(outs).label()).isEqualTo(1);
        assertThat(resumed.probabilities()).containsExactly(vote(outs).probabilities());
        assertThat(before.votes).as("resume copies the arrays").containsExactly(2, 1, 0);
    }

    @Test
    void shouldRejectChangingClassCount() {
        ExitState state = new ExitState();
        policy.observe(state, 1, 3, label(0));

        assertThatThrownBy(() -> policy.observe(state, 2, 3, Layers.probs(0.5f, 0.5f)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 classes");
    }

    @Test
    void shouldRefusePredictionBeforeAnyLayer() {
        assertThatThrownBy(() -> policy.predict(new ExitState(), label(0)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("observed no layers");
    }

    @Test
    void shouldDescribeItsSetting() {
        assertThat(policy.name()).isEqualTo("vote");
        assertThat(policy.setting()).isEqualTo("all-layers");
    }
}
