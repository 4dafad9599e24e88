package io.pabee.headtrain;

import io.pabee.heads.HeadSet;
import io.pabee.heads.LinearHead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pabee.patience.HeadOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadTrainerTest {
    private static final int H = 16;

    /** n rows of H features; label = sign of a fixed direction, plus a large offset to test the scaling fold-back. */
    private static float[] features(int n, Random r) {
        float[] x = new float[n * H];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (1 + i % H) + 5 * (i % 3));
        }
        return x;
    }

    @Test
    void shouldSeparateALinearlySeparableProblem() {
        Random r = new Random(1);
        int n = 2000;
        float[] x = features(n, r);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = x[i * H] / 1.0 - x[i * H + 3] / 4.0 + 0.2;
            y[i] = s > 0 ? 1 : 0;
        }
        HeadTrainer.Trained t = new HeadTrainer(0.1, 7, 2).classification(l -> x, 2, n, H, y, 2, l -> { });
        assertThat(t.heads()).hasSize(2);
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        assertThat(HeadTrainer.accuracy(t.heads().get(0), x, H, y, all)).isGreaterThan(0.95);
        assertThat((List<?>) t.info().get("chosenC")).hasSize(2);
    }

    @Test
    void shouldGiveTheLogisticProbabilityOfTheFittedModel() {
        // binary heads keep one weight row; softmax over (z, 0) must equal sigmoid(z)
        LinearHead h = new LinearHead(new float[][] {{0.5f, -1f}, {0f, 0f}}, new float[] {0.25f, 0f}, false);
        float[] x = {2f, 1f};
        HeadOutput o = h.apply(x, 0);
        double z = 0.5 * 2 - 1 + 0.25;
        assertThat((double) o.probabilities()[0]).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-6));
    }

    @Test
    void shouldHandleThreeClasses() {
        Random r = new Random(3);
        int n = 1500;
        float[] x = features(n, r);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double a = x[i * H];
            y[i] = a < -0.5 ? 0 : a < 0.5 ? 1 : 2;
        }
        HeadTrainer.Trained t = new HeadTrainer(0.1, 7, 1).classification(l -> x, 1, n, H, y, 3, l -> { });
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        assertThat(t.heads().get(0).outputs()).isEqualTo(3);
        assertThat(HeadTrainer.accuracy(t.heads().get(0), x, H, y, all)).isGreaterThan(0.8);
    }

    @Test
    void shouldRecoverRidgeCoefficientsAndIntercept() {
        Random r = new Random(5);
        int n = 4000;
        float[] x = features(n, r);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (2.0 * x[i * H + 1] - 0.5 * x[i * H + 7] + 3.0 + r.nextGaussian() * 0.01);
        }
        LinearHead h = HeadTrainer.ridge(x, H, y, java.util.stream.IntStream.range(0, n).toArray(), 1e-3);
        float[] probe = new float[H];
        assertThat((double) h.apply(probe, 0).score()).isCloseTo(3.0, within(0.02));
        probe[1] = 1;
        assertThat((double) h.apply(probe, 0).score()).isCloseTo(5.0, within(0.02));
        probe[1] = 0;
        probe[7] = 2;
        assertThat((double) h.apply(probe, 0).score()).isCloseTo(2.0, within(0.02));
    }

    @Test
    void shouldHoldOutADeterministicDisjointSlice() {
        HeadTrainer t = new HeadTrainer(0.1, 42, 1);
        int[][] a = t.slice(1000);
        int[][] b = t.slice(1000);
        assertThat(a[1]).hasSize(100).isEqualTo(b[1]);
        assertThat(a[0]).hasSize(900).doesNotContain(a[1]);
    }

    @Test
    void shouldRoundTripHeadsBitExactlyAndCompactly(@TempDir Path tmp) throws Exception {
        Random r = new Random(9);
        List<LinearHead> heads = new java.util.ArrayList<>();
        for (int l = 0; l < 12; l++) {
            float[][] w = new float[2][384];
            for (float[] row : w) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) r.nextGaussian();
                }
            }
            heads.add(new LinearHead(w, new float[] {(float) r.nextGaussian(), Float.MIN_VALUE}, false));
        }
        HeadSet s = new HeadSet("SST-2", "classification", List.of("negative", "positive"), 384, heads,
                List.of(Map.of("accuracy", 0.9)), Map.of("seed", 42));
        Path f = tmp.resolve("h.json");
        s.write(f);
        HeadSet back = HeadSet.read(f);
        assertThat(Files.size(f)).isLessThan(60_000);
        for (int l = 0; l < 12; l++) {
            for (int c = 0; c < 2; c++) {
                assertThat(back.heads().get(l).weights()[c]).containsExactly(heads.get(l).weights()[c]);
            }
            assertThat(back.heads().get(l).bias()).containsExactly(heads.get(l).bias());
        }
        assertThat(back.labels()).containsExactly("negative", "positive");
        assertThat(back.devMetrics().get(0)).containsEntry("accuracy", 0.9);
    }

    @Test
    void shouldNameTheFileOfAMalformedHeadSet(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"task\":\"SST-2\",\"numLayers\":2,\"hidden\":4,\"outputs\":2,\"weights\":[\"AAAA\"],\"bias\":[\"AAAA\"]}");
        assertThatThrownBy(() -> HeadSet.read(f)).hasMessageContaining("bad.json").hasMessageContaining("inconsistent");
        Files.writeString(f, "{not json");
        assertThatThrownBy(() -> HeadSet.read(f)).hasMessageContaining("bad.json");
    }
}
