package io.pabee.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BertEncoderTest {
    static final List<String[]> SENTENCES = List.of(
            new String[] {"it 's a charming and often affecting journey .", null},
            new String[] {"The cat sat on the mat.", "A cat was sitting on a mat."},
            new String[] {"unflinchingly bleak and desperate", null},
            new String[] {"Naïve café owners in Zürich loved the über-long film!", null});

    @Test
    void readsTheGraphConstantsThroughNodeNames() {
        BertConfig c = TrainingModels.weights().config();
        assertThat(c.numLayers()).isEqualTo(12);
        assertThat(c.hidden()).isEqualTo(384);
        assertThat(c.heads()).isEqualTo(12);
        assertThat(c.intermediate()).isEqualTo(1536);
        assertThat(c.layerNormEps()).isEqualTo(1e-12f);
        assertThat(c.maskFill()).isEqualTo(-Float.MAX_VALUE);
        assertThat(c.tokenTypes()).isTrue();
        // a weight found by node name sits in the stage of its layer, under the exporter's anonymous name
        var q = TrainingModels.weights().weights().get(BertParams.weight(3, BertParams.QUERY));
        assertThat(q.stage()).isEqualTo(3);
        assertThat(q.shape()).containsExactly(384, 384);
        assertThat(TrainingModels.weights().weights()).hasSize(5 + 12 * 16);
    }

    @Test
    void djlForwardEqualsTheStagedOnnxForwardAtEveryLayer() {
        ModelDirectory dir = TrainingModels.base();
        List<Tokens> batch = new ArrayList<>();
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), 128)) {
            for (String[] s : SENTENCES) {
                batch.add(tok.encode(s[0], s[1]));
            }
        }
        int[] lengths = batch.stream().mapToInt(Tokens::length).toArray();
        List<List<float[]>> onnx = new ArrayList<>();
        try (StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu())) {
            List<float[]> h = enc.embed(batch);
            onnx.add(copy(h));
            for (int k = 1; k <= enc.numLayers(); k++) {
                h = enc.layer(k, h, lengths);
                onnx.add(copy(h));
            }
        }
        try (NDManager m = NDManager.newBaseManager();
             BertEncoder enc = BertEncoder.of(m, TrainingModels.weights())) {
            PaddedBatch pb = PaddedBatch.of(m, batch);
            List<NDArray> states = enc.forward(pb.ids(), pb.types(), pb.mask(), false);
            assertThat(states).hasSize(13);
            for (int k = 0; k < states.size(); k++) {
                float[] djl = states.get(k).toFloatArray();
                int t = pb.tokens();
                double max = 0;
                for (int r = 0; r < batch.size(); r++) {
                    float[] want = onnx.get(k).get(r);
                    for (int i = 0; i < want.length; i++) {
                        max = Math.max(max, Math.abs(want[i] - djl[r * t * 384 + i]));
                    }
                }
                assertThat(max).as("max abs diff at stage %d", k).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    private static List<float[]> copy(List<float[]> h) {
        return h.stream().map(float[]::clone).toList();
    }
}
