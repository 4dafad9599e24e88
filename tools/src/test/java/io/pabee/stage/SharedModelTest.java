package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.prepare.BaseModel;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One {@link OnnxLayerModel} serves many threads at once: concurrent embedding and layer calls of
 * different batch shapes give each thread the same hidden states it gets alone.
 */
class SharedModelTest {
    private static OnnxLayerModel model;
    private static final String[] TEXTS = {
        "a wonderful , moving and beautifully acted film .",
        "a boring , tedious mess .",
        "it is neither good nor bad , just long .",
        "the cast is great but the script never finds its footing , and the ending drags on and on .",
    };

    @BeforeAll
    static void load() {
        model = OnnxLayerModel.load(TestModels.prepared(BaseModel.BGE_SMALL_EN_V15), "SST-2",
                StagedEncoder.Options.cpu().layers(0, 3), 128);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    /** Embeddings and layers 1..3 of {@code texts}, concatenated per record. */
    private static List<float[]> run(List<String> texts) {
        List<Tokens> tokens = texts.stream().map(t -> model.tokenize(t, null)).toList();
        List<float[]> h = model.embed(tokens);
        int[] lengths = tokens.stream().mapToInt(Tokens::length).toArray();
        for (int layer = 1; layer <= 3; layer++) {
            h = model.layer(layer, h, lengths);
        }
        return h;
    }

    @Test
    void shouldGiveEveryThreadWhatItGetsAlone() throws Exception {
        List<List<String>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // different batch sizes and paddings per thread, so buffers of different sizes are in use at once
            List<String> batch = new ArrayList<>();
            for (int j = 0; j <= i % TEXTS.length; j++) {
                batch.add(TEXTS[(i + j) % TEXTS.length]);
            }
            jobs.add(batch);
        }
        List<List<float[]>> alone = new ArrayList<>();
        for (List<String> job : jobs) {
            alone.add(run(job));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<List<float[]>>> together = new ArrayList<>();
                for (List<String> job : jobs) {
                    together.add(pool.submit((Callable<List<float[]>>) () -> run(job)));
                }
                for (int i = 0; i < jobs.size(); i++) {
                    List<float[]> got = together.get(i).get();
                    assertThat(got).hasSameSizeAs(alone.get(i));
                    for (int r = 0; r < got.size(); r++) {
                        assertThat(got.get(r)).containsExactly(alone.get(i).get(r));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldDescribeItself() {
        assertThat(model.numLayers()).isEqualTo(12);
        assertThat(model.hidden()).isEqualTo(384);
        assertThat(model.task()).isEqualTo("SST-2");
        assertThat(model.modelId()).isEqualTo("bge-small-en-v15");
        assertThat(model.labels()).containsExactly("negative", "positive");
        assertThat(model.modelVersion()).isNotBlank();
    }
}
