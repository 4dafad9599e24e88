package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.BaseModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped SST-2 heads on the default model label plain sentiment correctly and report exit layers. */
class PabeeModelTest {
    private static PabeeModel model;

    @BeforeAll
    static void open() {
        model = new PabeeModel(TestModels.prepared(BaseModel.BGE_SMALL_EN_V15), "SST-2", StagedEncoder.Options.cpu(), 128, 8);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void shouldLabelObviousSentimentWithTheShippedHeads() {
        List<Labeled> out = model.classify(List.of(
                new PabeeModel.Input("pos", "a wonderful , moving and beautifully acted film .", null),
                new PabeeModel.Input("neg", "a boring , tedious mess that wastes its cast .", null)), new PatiencePolicy(6), true);
        assertThat(out.get(0).key()).isEqualTo("pos");
        assertThat(out.get(0).label()).isEqualTo("positive");
        assertThat(out.get(1).label()).isEqualTo("negative");
        for (Labeled c : out) {
            assertThat(c.probabilities()).hasSize(2);
            assertThat(c.probabilities()[0] + c.probabilities()[1]).isBetween(0.999f, 1.001f);
            assertThat(c.exitLayer()).isBetween(7, 12); // patience 6 needs 7 agreeing layers at least
            assertThat(c.layerPredictions()).hasSize(c.exitLayer());
        }
    }

    @Test
    void shouldExitEarlierWithLowerPatience() {
        List<PabeeModel.Input> in = List.of(new PabeeModel.Input(1, "an utterly delightful comedy .", null));
        int p1 = model.classify(in, new PatiencePolicy(1), false).get(0).exitLayer();
        int full = model.classify(in, new PatiencePolicy(0), false).get(0).exitLayer();
        assertThat(full).isEqualTo(12);
        assertThat(p1).isLessThan(full).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldRefuseATaskWithoutHeads() {
        assertThatThrownBy(() -> new PabeeModel(TestModels.prepared(BaseModel.ALL_MINILM_L6_V2), "SST-2",
                StagedEncoder.Options.cpu(), 128, 8))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("no heads for task SST-2")
                .hasMessageContaining("train-heads");
    }
}
