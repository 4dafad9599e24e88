package io.pabee.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A record that exited early travels as a shadow continuation (its early answer, its hidden state after
 * the exit layer), resumes at full depth, and its shadow result compares the two answers.
 */
class ShadowRunTest {
    private final FakeLayerModel model = new FakeLayerModel(6);

    /** Runs {@code text} with {@code patience} through the fake model and returns it as it exited. */
    private InFlight exited(String text, int patience) {
        Tokens t = model.tokenize(text, null);
        List<InFlight> out = new ArrayList<>();
        new EarlyExitRunner(model, 8).runAll(List.of(new EarlyExitRunner.Fresh(t,
                new InFlight("k", t.length(), null, 0, new PatiencePolicy(patience), new ExitState()))), 6, out::add, r -> { });
        return out.get(0);
    }

    private static LayerState throughBytes(LayerState s) {
        return AvroSerde.of(LayerState.class).decode(AvroSerde.of(LayerState.class).encode(s));
    }

    @Test
    void shouldCarryTheEarlyAnswerAndResumeAtFullDepthAfterTheExitLayer() {
        InFlight r = exited("a fine film", 2); // label 1 from layer 1 on: patient after layer 3
        assertThat(r.layersDone).isEqualTo(3);
        Classification early = new ResultBuilder(model).build("id-1", r, ExitSite.ROUTER, 1000L, 1100L, 1200L);
        LayerState s = throughBytes(new ContinuationCodec(model, true, 4).shadow(r, early, Map.of("k", "v")));

        assertThat(s.getId()).isEqualTo("id-1");
        assertThat(s.getNextLayer()).isEqualTo(4);
        assertThat(s.getPatience()).isZero();
        assertThat(s.getRouterLayers()).isEqualTo(4);
        assertThat(s.getEventTime()).isEqualTo(1000L);
        assertThat(s.getMetadata()).containsEntry("k", "v");
        assertThat(s.getShadow().getEarlyLabel()).isEqualTo(1);
        assertThat(s.getShadow().getEarlyScore()).isNull();
        assertThat(s.getShadow().getEarlyExitLayer()).isEqualTo(3);
        assertThat(s.getShadow().getEarlySite()).isEqualTo(ExitSite.ROUTER);
        assertThat(s.getShadow().getPatienceUsed()).as("the record's patience while results carry none").isEqualTo(2);
        assertThat(s.getShadow().getLoweredReason()).isNull();

        InFlight back = ContinuationCodec.reader(model).read(s, s);
        assertThat(back.layersDone).isEqualTo(3);
        assertThat(((PatiencePolicy) back.policy).patience()).isZero();
        List<InFlight> done = new ArrayList<>();
        // the fake model fails loudly if a layer gets anything but the previous layer's output
        new EarlyExitRunner(model, 8).run(java.util.Collections.emptyIterator(), List.of(back), 6, done::add, x -> { });
        assertThat(done).singleElement().satisfies(f -> assertThat(f.layersDone).isEqualTo(6));

        ShadowResult sr = new ShadowResults(model).build(s, done.get(0), 5000L);
        assertThat(sr.getId()).isEqualTo("id-1");
        assertThat(sr.getEarlyLabel()).isEqualTo(1);
        assertThat(sr.getFullLabel()).isEqualTo(1);
        assertThat(sr.getAgree()).isTrue();
        assertThat(sr.getEarlyExitLayer()).isEqualTo(3);
        assertThat(sr.getEarlySite()).isEqualTo(ExitSite.ROUTER);
        assertThat(sr.getPatienceUsed()).isEqualTo(2);
        assertThat(sr.getNumLayers()).isEqualTo(6);
        assertThat(sr.getModelVersion()).isEqualTo("fake-v1");
        assertThat(sr.getEventTime()).isEqualTo(1000L);
        assertThat(sr.getTime()).isEqualTo(5000L);
    }

    @Test
    void shouldRunAShadowToFullDepthWhateverPatienceItCarries() {
        InFlight r = exited("a fine film", 1);
        Classification early = new ResultBuilder(model).build("id-2", r, ExitSite.WORKER, 0L, 0L, 0L);
        LayerState s = new ContinuationCodec(model, false, 2).shadow(r, early, null);
        s.setPatience(1); // a worker must still run it to the last layer
        InFlight back = ContinuationCodec.reader(model).read(s, s);
        assertThat(((PatiencePolicy) back.policy).patience()).isZero();
    }

    @Test
    void shouldTakePatienceUsedAndLoweringFromTheResultWhenItCarriesThem() {
        InFlight r = exited("a fine film", 2);
        Classification early = new ResultBuilder(model).build("id-3", r, ExitSite.WORKER, 0L, 0L, 0L);
        early.setPatienceUsed(1);
        early.setPatienceConfigured(4);
        early.setLoweredReason("load");
        LayerState s = new ContinuationCodec(model, false, 2).shadow(r, early, null);
        assertThat(s.getShadow().getPatienceUsed()).isEqualTo(1);
        assertThat(s.getShadow().getLoweredReason()).isEqualTo("load");
        assertThat(s.getShadow().getEarlySite()).isEqualTo(ExitSite.WORKER);
        assertThat(s.getPatienceConfigured()).isEqualTo(4);
        assertThat(s.getLoweredReason()).as("the shadow run itself is not lowered").isNull();
    }

    @Test
    void shouldRefuseAShadowOfARecordThatExitedAtTheLastLayer() {
        InFlight r = exited("flip never patient", 2);
        assertThat(r.layersDone).isEqualTo(6);
        Classification early = new ResultBuilder(model).build("id-4", r, ExitSite.WORKER, 0L, 0L, 0L);
        assertThatThrownBy(() -> new ContinuationCodec(model, false, 2).shadow(r, early, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAgreeOnEqualLabelsOrRegressionScoresWithinTheThreshold() {
        assertThat(ShadowResults.agree(1, null, 1, null, 0f)).isTrue();
        assertThat(ShadowResults.agree(1, null, 0, null, 0.5f)).isFalse();
        assertThat(ShadowResults.agree(-1, 3.1f, -1, 3.4f, 0.5f)).isTrue();
        assertThat(ShadowResults.agree(-1, 3.1f, -1, 3.6f, 0.5f)).as("0.5 apart is not < 0.5").isFalse();
        assertThat(ShadowResults.agree(-1, 3.0f, -1, 2.2f, 0.5f)).isFalse();
        assertThat(ShadowResults.agree(-1, null, -1, 2.2f, 0.5f)).isFalse();
    }

    @Test
    void shouldMarkADisagreementWhenTheLastLayerAnswersOtherwise() {
        InFlight r = exited("a fine film", 2);
        Classification early = new ResultBuilder(model).build("id-5", r, ExitSite.ROUTER, 0L, 0L, 0L);
        LayerState s = new ContinuationCodec(model, false, 2).shadow(r, early, null);
        InFlight full = ContinuationCodec.reader(model).read(s, s);
        full.layersDone = 6;
        full.last = io.pabee.patience.HeadOutput.classification(new float[] {0.7f, 0.3f});
        ShadowResult sr = new ShadowResults(model).build(s, full, 1L);
        assertThat(sr.getFullLabel()).isZero();
        assertThat(sr.getAgree()).isFalse();
    }
}
