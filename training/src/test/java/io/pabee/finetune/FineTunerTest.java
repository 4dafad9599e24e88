package io.pabee.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.pabee.bert.TrainingModels;
import io.pabee.glue.GlueExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
    @TempDir
    Path tmp;

    @Test
    void aFewStepsLowerTheLossOnTheTrainingSentences() throws Exception {
        List<GlueExample> data = TinyData.sentiment();
        List<Integer> all = IntStream.range(0, data.size()).boxed().toList();
        try (FineTuner t = new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, data,
                new FineTuneOptions(5, 2e-3f, 4, 32, 4, 8f, false, 42, 0, 0.1f, 0.01f, 0.1f, 1f, 100), tmp.resolve("run"))) {
            float before = t.meanLoss(all);
            Checkpoint.State s = t.train(TrainingListener.NONE);
            float after = t.meanLoss(all);
            assertThat(s.step).isEqualTo(10);
            assertThat(after).isLessThan(before * 0.7f);
            assertThat(s.evaluations).hasSize(5); // one dev evaluation per epoch
        }
    }

    @Test
    void aResumedRunRestoresWeightsOptimizerStateAndDataPositionAndContinuesAsIfNeverStopped() throws Exception {
        List<GlueExample> data = TinyData.sentiment();
        Map<String, float[]> straight;
        try (FineTuner a = new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, List.of(),
                TinyData.options(5, 100, 7), tmp.resolve("a"))) {
            a.train(TrainingListener.NONE);
            straight = values(a.trainable());
        }
        Map<String, float[]> savedWeights;
        Map<String, float[]> savedMoments;
        Path b = tmp.resolve("b");
        try (FineTuner first = new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, List.of(),
                TinyData.options(3, 100, 7), b)) {
            first.train(TrainingListener.NONE); // "killed" after step 3, mid-epoch 2
            savedWeights = values(first.trainable());
            savedMoments = values(first.optimizer().state());
        }
        try (FineTuner resumed = new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, List.of(),
                TinyData.options(5, 100, 7), b)) {
            assertThat(resumed.state().step).isEqualTo(3);
            assertThat(resumed.state().epoch).isEqualTo(1);
            assertThat(resumed.state().batch).isEqualTo(1);
            assertThat(resumed.optimizer().updates()).isEqualTo(3);
            assertSame(values(resumed.trainable()), savedWeights, 0);
            assertSame(values(resumed.optimizer().state()), savedMoments, 0);
            resumed.train(TrainingListener.NONE);
            assertThat(resumed.state().step).isEqualTo(5);
            assertSame(values(resumed.trainable()), straight, 1e-6);
        }
    }

    @Test
    void refusesACheckpointOfAnotherRunAndATaskWithoutTrainingData() throws Exception {
        List<GlueExample> data = TinyData.sentiment();
        Path run = tmp.resolve("run");
        try (FineTuner t = new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, List.of(),
                TinyData.options(1, 100, 1), run)) {
            t.train(TrainingListener.NONE);
        }
        assertThatThrownBy(() -> new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, data, List.of(),
                TinyData.options(1, 100, 2), run).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to another run");
        assertThatThrownBy(() -> new FineTuner(TrainingModels.base(), TinyData.SENTIMENT, List.of(), List.of(),
                TinyData.options(1, 100, 1), tmp.resolve("empty")).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no training examples");
        assertThat(Files.exists(tmp.resolve("empty"))).isFalse();
    }

    @Test
    void regressionTrainsOnSquaredErrorAndReportsPearsonPerLayer() throws Exception {
        String[][] pairs = {{"a man is playing a guitar", "a man plays the guitar", "4.8"},
                {"a woman is slicing an onion", "a man is driving a car", "0.2"},
                {"the cat sleeps on the sofa", "a cat is sleeping on a couch", "4.5"},
                {"kids play football in the park", "the stock market fell today", "0.0"},
                {"a dog runs on the beach", "a dog is running along the shore", "4.2"},
                {"he is cooking pasta", "she is reading a book", "0.6"}};
        List<GlueExample> data = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i++) {
            data.add(new GlueExample("s" + i, pairs[i][0], pairs[i][1], -1, Float.parseFloat(pairs[i][2])));
        }
        List<Integer> all = IntStream.range(0, data.size()).boxed().toList();
        try (FineTuner t = new FineTuner(TrainingModels.base(), TaskSpec.of(io.pabee.glue.GlueTask.STS_B), data, data,
                new FineTuneOptions(4, 2e-3f, 3, 32, 4, 8f, false, 5, 0, 0.1f, 0.01f, 0.1f, 1f, 100), tmp.resolve("sts"))) {
            float before = t.meanLoss(all);
            Checkpoint.State s = t.train(TrainingListener.NONE);
            assertThat(t.meanLoss(all)).isLessThan(before);
            @SuppressWarnings("unchecked")
            List<Map<String, Double>> dev = (List<Map<String, Double>>) s.evaluations.get(3).get("perLayer");
            assertThat(dev).hasSize(12).allSatisfy(m -> assertThat(m).containsKeys("pearson", "spearman"));
        }
    }

    private static Map<String, float[]> values(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSame(Map<String, float[]> actual, Map<String, float[]> expected, double tol) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String k : expected.keySet()) {
            float[] a = actual.get(k);
            float[] e = expected.get(k);
            double max = 0;
            for (int i = 0; i < e.length; i++) {
                max = Math.max(max, Math.abs(a[i] - e[i]));
            }
            assertThat(max).as(k).isLessThanOrEqualTo(tol);
        }
    }
}
