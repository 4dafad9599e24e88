package io.pabee.headtrain;

import io.pabee.heads.HeadSet;
import io.pabee.heads.LinearHead;
import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * Fits one head per layer on frozen [CLS] features of the TRAIN split only: L2-regularized logistic
 * regression (liblinear) for classification, closed-form ridge regression for regression. The
 * regularization strength is chosen on a held-out slice of train, then the head is refit on all of
 * train. Features are standardized for the solver and the scaling is folded back into the weights,
 * so heads apply to raw [CLS] vectors.
 */
public final class HeadTrainer {
    /** Inverse regularization strengths tried for logistic regression. */
    public static final double[] DEFAULT_C = {0.001, 0.01, 0.1, 1};
    /** Ridge penalties tried for regression. */
    public static final double[] DEFAULT_LAMBDA = {1, 10, 100, 1000, 10000};

    private final double sliceFraction;
    private final long seed;
    private final int threads;

    static {
        Linear.disableDebugOutput();
    }

    public HeadTrainer(double sliceFraction, long seed, int threads) {
        if (!(sliceFraction > 0 && sliceFraction < 0.5)) {
            throw new IllegalArgumentException("held-out slice fraction must be in (0, 0.5), got " + sliceFraction);
        }
        this.sliceFraction = sliceFraction;
        this.seed = seed;
        this.threads = Math.max(1, threads);
    }

    /** Supplies one layer's training features as a row-major [n][hidden] array. */
    @FunctionalInterface
    public interface LayerSource {
        float[] layer(int layer);
    }

    /** Trained heads plus, per layer, the chosen strength and its held-out score. */
    public record Trained(List<LinearHead> heads, Map<String, Object> info) {
    }

    public Trained classification(LayerSource x, int numLayers, int n, int hidden, int[] labels, int numClasses,
                                  IntConsumer onLayerDone) {
        return fit(numLayers, layer -> fitLogistic(x.layer(layer), n, hidden, labels, numClasses), "C", DEFAULT_C,
                n, onLayerDone);
    }

    public Trained regression(LayerSource x, int numLayers, int n, int hidden, float[] y, IntConsumer onLayerDone) {
        return fit(numLayers, layer -> fitRidge(x.layer(layer), n, hidden, y), "lambda", DEFAULT_LAMBDA, n, onLayerDone);
    }

    private record LayerFit(LinearHead head, double chosen, double heldOutScore) {
    }

    private interface LayerFitter {
        LayerFit fit(int layer) throws Exception;
    }

    private Trained fit(int numLayers, LayerFitter fitter, String strengthName, double[] grid, int n,
                        IntConsumer onLayerDone) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<LayerFit>> futures = new ArrayList<>();
            for (int l = 1; l <= numLayers; l++) {
                int layer = l;
                futures.add(pool.submit(() -> {
                    LayerFit f = fitter.fit(layer);
                    onLayerDone.accept(layer);
                    return f;
                }));
            }
            List<LinearHead> heads = new ArrayList<>();
            List<Double> chosen = new ArrayList<>();
            List<Double> held = new ArrayList<>();
            for (Future<LayerFit> f : futures) {
                LayerFit lf = f.get();
                heads.add(lf.head());
                chosen.add(lf.chosen());
                held.add(lf.heldOutScore());
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("trainRecords", n);
            info.put("heldOutSliceFraction", sliceFraction);
            info.put("seed", seed);
            info.put(strengthName + "Grid", grid);
            info.put("chosen" + Character.toUpperCase(strengthName.charAt(0)) + strengthName.substring(1), chosen);
            info.put("heldOutScore", held);
            return new Trained(heads, info);
        } catch (Exception e) {
            Throwable c = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("head training failed: " + c.getMessage(), c);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Deterministic split of 0..n-1 into (fit, held-out) index arrays. */
    int[][] slice(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int held = Math.max(1, (int) Math.round(n * sliceFraction));
        int[] fit = java.util.Arrays.copyOfRange(idx, held, n);
        int[] out = java.util.Arrays.copyOfRange(idx, 0, held);
        java.util.Arrays.sort(fit);
        java.util.Arrays.sort(out);
        return new int[][] {fit, out};
    }

    /** Mean and standard deviation of every feature over the rows {@code rows}. */
    static double[][] moments(float[] x, int hidden, int[] rows) {
        double[] mean = new double[hidden];
        double[] sd = new double[hidden];
        for (int r : rows) {
            for (int i = 0; i < hidden; i++) {
                mean[i] += x[r * hidden + i];
            }
        }
        for (int i = 0; i < hidden; i++) {
            mean[i] /= rows.length;
        }
        for (int r : rows) {
            for (int i = 0; i < hidden; i++) {
                double d = x[r * hidden + i] - mean[i];
                sd[i] += d * d;
            }
        }
        for (int i = 0; i < hidden; i++) {
            sd[i] = Math.sqrt(sd[i] / rows.length);
            if (sd[i] < 1e-8) {
                sd[i] = 1; // a constant feature carries no signal; avoid dividing by zero
            }
        }
        return new double[][] {mean, sd};
    }

    private LayerFit fitLogistic(float[] x, int n, int hidden, int[] labels, int numClasses) {
        int[][] split = slice(n);
        double bestC = DEFAULT_C[0];
        double bestAcc = -1;
        for (double c : DEFAULT_C) {
            LinearHead h = logistic(x, hidden, labels, numClasses, split[0], c);
            double acc = accuracy(h, x, hidden, labels, split[1]);
            if (acc > bestAcc + 1e-12) { // ties keep the smaller C: the stronger regularizer
                bestAcc = acc;
                bestC = c;
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return new LayerFit(logistic(x, hidden, labels, numClasses, all, bestC), bestC, bestAcc);
    }

    static double accuracy(LinearHead h, float[] x, int hidden, int[] labels, int[] rows) {
        int ok = 0;
        for (int r : rows) {
            if (h.apply(x, r * hidden).argmax() == labels[r]) {
                ok++;
            }
        }
        return (double) ok / rows.length;
    }

    /** liblinear L2R_LR on standardized rows; for 2 classes the result is exactly the logistic model. */
    static LinearHead logistic(float[] x, int hidden, int[] labels, int numClasses, int[] rows, double c) {
        double[][] m = moments(x, hidden, rows);
        double[] mean = m[0];
        double[] sd = m[1];
        Problem p = new Problem();
        p.l = rows.length;
        p.n = hidden + 1;
        p.bias = 1;
        p.x = new Feature[rows.length][];
        p.y = new double[rows.length];
        for (int k = 0; k < rows.length; k++) {
            int r = rows[k];
            Feature[] f = new Feature[hidden + 1];
            for (int i = 0; i < hidden; i++) {
                f[i] = new FeatureNode(i + 1, (x[r * hidden + i] - mean[i]) / sd[i]);
            }
            f[hidden] = new FeatureNode(hidden + 1, 1.0);
            p.x[k] = f;
            p.y[k] = labels[r];
        }
        Model model = Linear.train(p, new Parameter(SolverType.L2R_LR, c, 0.01));
        int[] modelLabels = model.getLabels();
        float[][] w = new float[numClasses][hidden];
        float[] b = new float[numClasses];
        // liblinear keeps one weight vector for two classes (decision > 0 means labels[0]); the other
        // class gets logit 0, so softmax over the pair equals the logistic probability.
        int rowsOut = modelLabels.length == 2 ? 1 : modelLabels.length;
        for (int k = 0; k < rowsOut; k++) {
            int cls = modelLabels[k];
            double bias = model.getDecfunBias(k);
            for (int i = 0; i < hidden; i++) {
                double coef = model.getDecfunCoef(i + 1, k);
                w[cls][i] = (float) (coef / sd[i]);
                bias -= coef * mean[i] / sd[i];
            }
            b[cls] = (float) bias;
        }
        return new LinearHead(w, b, false);
    }

    private LayerFit fitRidge(float[] x, int n, int hidden, float[] y) {
        int[][] split = slice(n);
        double best = DEFAULT_LAMBDA[0];
        double bestR = Double.NEGATIVE_INFINITY;
        for (double lambda : DEFAULT_LAMBDA) {
            LinearHead h = ridge(x, hidden, y, split[0], lambda);
            double r = pearson(h, x, hidden, y, split[1]);
            if (r > bestR + 1e-12) {
                bestR = r;
                best = lambda;
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return new LayerFit(ridge(x, hidden, y, all, best), best, bestR);
    }

    static double pearson(LinearHead h, float[] x, int hidden, float[] y, int[] rows) {
        double[] a = new double[rows.length];
        double[] b = new double[rows.length];
        for (int k = 0; k < rows.length; k++) {
            a[k] = h.apply(x, rows[k] * hidden).score();
            b[k] = y[rows[k]];
        }
        return new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(a, b);
    }

    /** Ridge with an unpenalized intercept: standardize, center y, solve (ZᵀZ + λI)β = Zᵀy by Cholesky. */
    static LinearHead ridge(float[] x, int hidden, float[] y, int[] rows, double lambda) {
        double[][] m = moments(x, hidden, rows);
        double[] mean = m[0];
        double[] sd = m[1];
        double ymean = 0;
        for (int r : rows) {
            ymean += y[r];
        }
        ymean /= rows.length;
        double[][] a = new double[hidden][hidden];
        double[] rhs = new double[hidden];
        double[] z = new double[hidden];
        for (int r : rows) {
            for (int i = 0; i < hidden; i++) {
                z[i] = (x[r * hidden + i] - mean[i]) / sd[i];
            }
            double yc = y[r] - ymean;
            for (int i = 0; i < hidden; i++) {
                rhs[i] += z[i] * yc;
                double zi = z[i];
                double[] ai = a[i];
                for (int j = i; j < hidden; j++) {
                    ai[j] += zi * z[j];
                }
            }
        }
        for (int i = 0; i < hidden; i++) {
            a[i][i] += lambda;
            for (int j = 0; j < i; j++) {
                a[i][j] = a[j][i];
            }
        }
        RealVector beta = new CholeskyDecomposition(new Array2DRowRealMatrix(a, false)).getSolver()
                .solve(new ArrayRealVector(rhs, false));
        float[][] w = new float[1][hidden];
        double bias = ymean;
        for (int i = 0; i < hidden; i++) {
            w[0][i] = (float) (beta.getEntry(i) / sd[i]);
            bias -= beta.getEntry(i) * mean[i] / sd[i];
        }
        return new LinearHead(w, new float[] {(float) bias}, true);
    }
}
