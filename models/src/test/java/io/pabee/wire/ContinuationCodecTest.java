package io.pabee.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pabee.patience.ConfidencePolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.HiddenEncoding;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.BadRecordException;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A continuation built by the router's codec reads back, after Avro bytes, as the record that stopped. */
class ContinuationCodecTest {
    private final FakeLayerModel model = new FakeLayerModel(6);

    private static InFlight stopped(float[] hidden, PatiencePolicy policy) {
        ExitState st = ExitState.resume(3, 2, 1, 0.25f);
        InFlight r = new InFlight("key", hidden.length / FakeLayerModel.HIDDEN, hidden, 3, policy, st);
        r.truncated = true;
        return r;
    }

    private static LayerState throughBytes(LayerState s) {
        return AvroSerde.of(LayerState.class).decode(AvroSerde.of(LayerState.class).encode(s));
    }

    @Test
    void shouldRoundTripFp32Exactly() {
        float[] hidden = {0.1f, -2.5f, 3.3333333f, 1e-7f, -0f, 65504.5f};
        InFlight r = stopped(hidden, new PatiencePolicy(4));
        LayerState s = throughBytes(new ContinuationCodec(model, false, 3).build("id-1", r, 1000L, Map.of("k", "v"), 2000L));

        assertThat(s.getHiddenEncoding()).isEqualTo(HiddenEncoding.FP32);
        assertThat(s.getId()).isEqualTo("id-1");
        assertThat(s.getEventTime()).isEqualTo(1000L);
        assertThat(s.getEnqueueTime()).isEqualTo(2000L);
        assertThat(s.getMetadata()).containsEntry("k", "v");
        assertThat(s.getRouterLayers()).isEqualTo(3);
        assertThat(s.getModelId()).isEqualTo("fake");
        assertThat(s.getTask()).isEqualTo("SST-2");
        assertThat(s.getNextLayer()).isEqualTo(4);

        InFlight back = ContinuationCodec.reader(model).read(s, "k2");
        assertThat(back.key).isEqualTo("k2");
        assertThat(back.hidden).containsExactly(hidden);
        assertThat(back.length).isEqualTo(3);
        assertThat(back.layersDone).isEqualTo(3);
        assertThat(back.truncated).isTrue();
        assertThat(back.state.layersSeen).isEqualTo(3);
        assertThat(back.state.counter).isEqualTo(2);
        assertThat(back.state.previousLabel).isEqualTo(1);
        assertThat(back.state.previousScore).isEqualTo(0.25f);
        assertThat(back.policy).isInstanceOf(PatiencePolicy.class);
        assertThat(((PatiencePolicy) back.policy).patience()).isEqualTo(4);
    }

    @Test
    void shouldRoundTripFp16WithinHalfPrecision() {
        float[] hidden = {0.1f, -2.5f, 3.3333333f, 0.0009765625f, 123.456f, -7.77f};
        LayerState s = throughBytes(new ContinuationCodec(model, true, 3).build("id", stopped(hidden, new PatiencePolicy(2)),
                0L, null, 0L));
        assertThat(s.getHiddenEncoding()).isEqualTo(HiddenEncoding.FP16);
        assertThat(s.getHidden().remaining()).isEqualTo(hidden.length * 2);
        float[] back = ContinuationCodec.reader(model).read(s, "id").hidden;
        for (int i = 0; i < hidden.length; i++) {
            // binary16 keeps 11 significant bits: relative error at most 2^-11
            assertThat(back[i]).isCloseTo(hidden[i], within(Math.abs(hidden[i]) / 2048f + 1e-7f));
        }
    }

    @Test
    void shouldCarryThePolicyParametersOnARegressionModel() {
        FakeLayerModel regression = new FakeLayerModel(6) {
            @Override
            public boolean regression() {
                return true;
            }
        };
        InFlight r = stopped(new float[] {1, 2}, WirePolicy.patience(5, 0.05f, true));
        LayerState s = throughBytes(new ContinuationCodec(regression, false, 3).build("id", r, 0L, null, 0L));
        assertThat(s.getPolicy()).isEqualTo("patience");
        assertThat(s.getPatience()).isEqualTo(5);
        assertThat(s.getThreshold()).isEqualTo(0.05f);
        PatiencePolicy back = (PatiencePolicy) ContinuationCodec.reader(regression).read(s, "id").policy;
        assertThat(back.patience()).isEqualTo(5);
        assertThat(back.threshold()).isEqualTo(0.05f);
        assertThat(back.setting()).isEqualTo(r.policy.setting());
    }

    @Test
    void shouldRefuseAPolicyThatDoesNotTravel() {
        InFlight r = new InFlight("k", 1, new float[2], 3, new ConfidencePolicy(0.9f), new ExitState());
        assertThatThrownBy(() -> new ContinuationCodec(model, false, 3).build("id", r, 0L, null, 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confidence");
    }

    @Test
    void shouldRejectContinuationsItCannotResumeWithAReason() {
        LayerState good = new ContinuationCodec(model, false, 3).build("id", stopped(new float[] {1, 2}, new PatiencePolicy(2)),
                0L, null, 0L);
        ContinuationCodec other = ContinuationCodec.reader(new FakeLayerModel(6, 128, "fake-v2"));
        assertThatThrownBy(() -> other.read(good, "id")).isInstanceOf(BadRecordException.class)
                .extracting(e -> ((BadRecordException) e).reason()).isEqualTo("model-mismatch");

        LayerState deep = LayerState.newBuilder(good).setNextLayer(7).build();
        assertThat(reason(deep)).isEqualTo("invalid-state");
        LayerState wrongSize = LayerState.newBuilder(good).setHiddenSize(3).build();
        assertThat(reason(wrongSize)).isEqualTo("invalid-state");
        LayerState shortHidden = LayerState.newBuilder(good).setTokenCount(2).build();
        assertThat(reason(shortHidden)).isEqualTo("invalid-state");
        LayerState badPatience = LayerState.newBuilder(good).setPatience(-1).build();
        assertThat(reason(badPatience)).isEqualTo("invalid-state");
        LayerState otherPolicy = LayerState.newBuilder(good).setPolicy("entropy").build();
        assertThat(reason(otherPolicy)).isEqualTo("invalid-state");
    }

    private String reason(LayerState s) {
        try {
            ContinuationCodec.reader(model).read(s, "id");
            return "accepted";
        } catch (BadRecordException e) {
            return e.reason();
        }
    }
}
