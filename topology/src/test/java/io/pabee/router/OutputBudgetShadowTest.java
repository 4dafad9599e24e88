package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.wire.ContinuationCodec;
import io.pabee.wire.ResultBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The continuation budget also holds the largest shadow continuation the limits allow. */
class OutputBudgetShadowTest {
    @Test
    void shouldBudgetTheLargestShadowContinuation() {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.LIMIT_ID_CHARS_CONFIG, 64);
        p.put(RouterConfig.LIMIT_METADATA_ENTRIES_CONFIG, 4);
        p.put(RouterConfig.LIMIT_METADATA_BYTES_CONFIG, 256);
        p.put(RouterConfig.MAX_LENGTH_CONFIG, 16);
        p.put(RouterConfig.HIDDEN_ENCODING_CONFIG, "fp32");
        RouterConfig cfg = new RouterConfig(p);
        FakeLayerModel model = new FakeLayerModel(6, 16, "fake-v1");
        String id = "\u20ac".repeat(64); // three UTF-8 bytes each
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            metadata.put("k" + i + "x".repeat(30), "v".repeat(30)); // 4 x 64 bytes
        }
        InFlight r = new InFlight(id, 16, new float[16 * FakeLayerModel.HIDDEN], 3, new PatiencePolicy(12, 0.5f),
                ExitState.resume(3, 2, 1, 0.5f));
        r.last = HeadOutput.classification(new float[] {0.1f, 0.9f});
        r.truncated = true;
        Classification early = new ResultBuilder(model).build(id, r, ExitSite.ROUTER, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
        early.setPatienceUsed(Integer.MAX_VALUE);
        early.setPatienceConfigured(Integer.MAX_VALUE);
        early.setLoweredReason("budget");
        LayerState s = new ContinuationCodec(model, false, Integer.MAX_VALUE).shadow(r, early, metadata);
        s.setLatencyBudgetMs(Long.MAX_VALUE);
        long bytes = AvroSerde.of(LayerState.class).encode(s).length + (long) id.getBytes(StandardCharsets.UTF_8).length
                + OutputBudget.RECORD_OVERHEAD;
        assertThat(bytes).isLessThanOrEqualTo(OutputBudget.worstCase(cfg, model).get(cfg.continuationsTopic()));
    }
}
