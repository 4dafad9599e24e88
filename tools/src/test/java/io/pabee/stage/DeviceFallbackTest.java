package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.prepare.BaseModel;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Asking for CUDA where it cannot work must fall back to CPU (logged) and give the CPU results. */
class DeviceFallbackTest {

    @Test
    void shouldRunOnCpuWhenCudaIsUnusable() {
        ModelDirectory dir = TestModels.prepared(BaseModel.ALL_MINILM_L6_V2);
        List<Tokens> tokens;
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), 64)) {
            tokens = List.of(tok.encode("a gripping, beautifully shot film", null), tok.encode("dull", null));
        }
        List<float[]> cpu;
        try (StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu())) {
            cpu = enc.layer(1, enc.embed(tokens), new int[] {tokens.get(0).length(), tokens.get(1).length()});
        }
        try (StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu().on(ExecutionDevice.parse("cuda:0")))) {
            boolean gpuPresent = Files.exists(Path.of("/dev/nvidia0"));
            if (!gpuPresent) {
                assertThat(enc.device()).isEqualTo("cpu");
            } else {
                assertThat(enc.device()).isIn("cpu", "cuda:0");
            }
            List<float[]> out = enc.layer(1, enc.embed(tokens), new int[] {tokens.get(0).length(), tokens.get(1).length()});
            for (int r = 0; r < 2; r++) {
                for (int i = 0; i < cpu.get(r).length; i++) {
                    assertThat(Math.abs(out.get(r)[i] - cpu.get(r)[i])).isLessThan(1e-3f);
                }
            }
        }
    }

    @Test
    void shouldParseDevices() {
        assertThat(ExecutionDevice.parse("cpu").cuda()).isFalse();
        assertThat(ExecutionDevice.parse("CUDA").deviceId()).isZero();
        assertThat(ExecutionDevice.parse("cuda:3").deviceId()).isEqualTo(3);
        assertThatThrownBy(() -> ExecutionDevice.parse("cuda:-1")).hasMessageContaining("cuda:<id>");
        assertThatThrownBy(() -> ExecutionDevice.parse("tpu")).hasMessageContaining("unknown device 'tpu'");
    }
}
