package io.pabee.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import org.junit.jupiter.api.Test;

/** A result carries the exit, the label, the policy and the times it was built with, through Avro bytes. */
class ResultBuilderTest {
    private final FakeLayerModel model = new FakeLayerModel(6);

    private static InFlight exited(HeadOutput last, int layer) {
        InFlight r = new InFlight("k", 3, new float[6], layer, new PatiencePolicy(2), new ExitState());
        r.last = last;
        r.exited = true;
        return r;
    }

    @Test
    void shouldFillEveryFieldOfAClassification() {
        InFlight r = exited(HeadOutput.classification(new float[] {0.25f, 0.75f}), 3);
        Classification c = new ResultBuilder(model).build("id-7", r, ExitSite.WORKER, 1000L, 1200L, 1500L);
        Classification back = AvroSerde.of(Classification.class).decode(AvroSerde.of(Classification.class).encode(c));

        assertThat(back.getId()).isEqualTo("id-7");
        assertThat(back.getLabel()).isEqualTo("positive");
        assertThat(back.getLabelIndex()).isEqualTo(1);
        assertThat(back.getProbabilities()).containsExactly(0.25f, 0.75f);
        assertThat(back.getScore()).isNull();
        assertThat(back.getExitLayer()).isEqualTo(3);
        assertThat(back.getLayersRun()).isEqualTo(3);
        assertThat(back.getNumLayers()).isEqualTo(6);
        assertThat(back.getPolicy()).isEqualTo("patience");
        assertThat(back.getSetting()).isEqualTo("patience=2");
        assertThat(back.getExitedAt()).isEqualTo(ExitSite.WORKER);
        assertThat(back.getModelVersion()).isEqualTo("fake-v1");
        assertThat(back.getTruncated()).isFalse();
        assertThat(back.getEventTime()).isEqualTo(1000L);
        assertThat(back.getEnqueueTime()).isEqualTo(1200L);
        assertThat(back.getExitTime()).isEqualTo(1500L);
        assertThat(back.getLatencyMs()).isEqualTo(500L);
    }

    @Test
    void shouldGiveARegressionScoreAndNoLabel() {
        InFlight r = exited(HeadOutput.regression(3.5f), 6);
        r.truncated = true;
        Classification c = new ResultBuilder(model).build("r", r, ExitSite.ROUTER, 0L, 0L, 10L);
        assertThat(c.getLabel()).isNull();
        assertThat(c.getLabelIndex()).isEqualTo(-1);
        assertThat(c.getProbabilities()).isEmpty();
        assertThat(c.getScore()).isEqualTo(3.5f);
        assertThat(c.getTruncated()).isTrue();
        assertThat(c.getExitedAt()).isEqualTo(ExitSite.ROUTER);
    }
}
