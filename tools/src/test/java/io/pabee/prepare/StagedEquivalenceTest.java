package io.pabee.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.stage.ModelDirectory;
import io.pabee.stage.ModelFileException;
import io.pabee.stage.StagedEncoder;
import io.pabee.stage.TestModels;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Chained stages must reproduce the monolithic model; tampered files must be refused. */
class StagedEquivalenceTest {

    @ParameterizedTest
    @EnumSource(value = BaseModel.class, names = {"BGE_SMALL_EN_V15", "ALL_MINILM_L6_V2"})
    void shouldMatchMonolithicModelWithinTolerance(BaseModel base) throws IOException {
        ModelDirectory dir = TestModels.prepared(base);
        double diff = ModelPreparer.verify(dir, dir.path().resolve(ModelPreparer.MONOLITHIC), false);
        assertThat(diff).isLessThanOrEqualTo(1e-5);
        assertThat(dir.numLayers()).isEqualTo(base == BaseModel.ALL_MINILM_L6_V2 ? 6 : 12);
        assertThat(dir.hidden()).isEqualTo(384);
    }

    @Test
    void shouldDetectAStageThatIsNotTheEncoderLayer() throws IOException {
        // Negative control: skipping the last layer must be caught by the same comparison.
        ModelDirectory dir = TestModels.prepared(BaseModel.ALL_MINILM_L6_V2);
        List<Tokens> tokens = new ArrayList<>();
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), 128)) {
            for (String[] s : ModelPreparer.CHECK_SENTENCES) {
                tokens.add(tok.encode(s[0], s[1]));
            }
        }
        int[] lengths = tokens.stream().mapToInt(Tokens::length).toArray();
        List<float[]> staged;
        try (StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu())) {
            staged = enc.embed(tokens);
            for (int layer = 1; layer < enc.numLayers(); layer++) {
                staged = enc.layer(layer, staged, lengths);
            }
        }
        List<float[]> mono;
        try (ModelPreparer.Monolithic m = new ModelPreparer.Monolithic(dir.path().resolve(ModelPreparer.MONOLITHIC),
                dir.hidden(), io.pabee.stage.ExecutionDevice.CPU)) {
            mono = m.run(tokens);
        }
        double max = 0;
        for (int r = 0; r < tokens.size(); r++) {
            for (int i = 0; i < staged.get(r).length; i++) {
                max = Math.max(max, Math.abs(staged.get(r)[i] - mono.get(r)[i]));
            }
        }
        assertThat(max).isGreaterThan(1e-2);
    }

    @Test
    void shouldRefuseATamperedStageFile(@TempDir Path tmp) throws IOException {
        ModelDirectory dir = TestModels.prepared(BaseModel.ALL_MINILM_L6_V2);
        Path copy = tmp.resolve("model");
        Files.createDirectories(copy);
        for (String f : List.of("manifest.json", "tokenizer.json", "stage-00.onnx", "stage-01.onnx", "stage-02.onnx",
                "stage-03.onnx", "stage-04.onnx", "stage-05.onnx", "stage-06.onnx")) {
            Files.copy(dir.path().resolve(f), copy.resolve(f));
        }
        assertThat(ModelDirectory.open(copy).numLayers()).isEqualTo(6);
        Files.write(copy.resolve("stage-03.onnx"), new byte[] {1}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("stage-03.onnx")
                .hasMessageContaining("sha256");
        Files.delete(copy.resolve("stage-03.onnx"));
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void shouldRefuseADirectoryWithoutManifest(@TempDir Path tmp) {
        assertThatThrownBy(() -> ModelDirectory.open(tmp))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("prepare");
    }
}
