package io.pabee.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.ModelFileException;
import io.pabee.stage.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prepare} writes a manifest only for stages it has verified, and verifies a quantized model per record. */
class ModelPreparerTest {

    @Test
    void shouldRefuseToWriteAManifestWhenVerificationFails(@TempDir Path tmp) {
        Path out = tmp.resolve("minilm");
        // a tolerance no model can meet: the verification runs and fails
        assertThatThrownBy(() -> ModelPreparer.prepare(BaseModel.ALL_MINILM_L6_V2, out, -1, m -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("chained stages differ from the monolithic model")
                .hasMessageContaining("refusing to write a manifest");
        assertThat(out.resolve("stage-01.onnx")).exists(); // the stages were written and checked...
        assertThat(out.resolve(Manifest.FILE)).doesNotExist(); // ...but without a manifest the directory is not a model
        assertThatThrownBy(() -> ModelDirectory.open(out)).isInstanceOf(ModelFileException.class);
    }

    @Test
    void shouldVerifyTheQuantizedModelOneRecordAtATime() throws IOException {
        ModelDirectory q = TestModels.prepared(BaseModel.BGE_SMALL_EN_V15_Q);
        Manifest m = q.manifest();
        assertThat(m.dynamicQuantization).as("the q model's graph has DynamicQuantizeLinear").isTrue();
        assertThat(m.verifiedMaxAbsDiff).isNotNull().isLessThanOrEqualTo(ModelPreparer.DEFAULT_TOLERANCE);
        Path mono = q.path().resolve(ModelPreparer.MONOLITHIC);
        double perRecord = ModelPreparer.verify(q, mono, true);
        double batched = ModelPreparer.verify(q, mono, false);
        System.out.printf("quantized model: max abs diff %.3g per record, %.3g batched with padding%n", perRecord, batched);
        assertThat(perRecord).isLessThanOrEqualTo(ModelPreparer.DEFAULT_TOLERANCE);
        // why per record: dynamic quantization scales by each batch's min/max, padding included, so the same
        // record batched with others differs by more than the tolerance
        assertThat(batched).isGreaterThan(ModelPreparer.DEFAULT_TOLERANCE);
        // and the fp32 model is not batch-dependent in the same way
        assertThat(TestModels.prepared(BaseModel.BGE_SMALL_EN_V15).manifest().dynamicQuantization).isFalse();
    }
}
