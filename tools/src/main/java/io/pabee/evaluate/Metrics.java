package io.pabee.evaluate;

import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/** GLUE evaluation metrics over parallel prediction and gold arrays. */
public final class Metrics {

    private Metrics() {
    }

    /** Fraction of positions where {@code pred} equals {@code gold}. */
    public static double accuracy(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        int hit = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == gold[i]) {
                hit++;
            }
        }
        return (double) hit / pred.length;
    }

    /** F1 of the positive class 1; 0 when there are no true positives (as scikit-learn). */
    public static double f1(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < pred.length; i++) {
            boolean p = pred[i] == 1;
            boolean g = gold[i] == 1;
            if (p && g) {
                tp++;
            } else if (p) {
                fp++;
            } else if (g) {
                fn++;
            }
        }
        return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Matthews correlation coefficient, multi-class form (equals the binary formula for two
     * classes); 0 when undefined, e.g. when all predictions or all gold labels are one class.
     */
    public static double mcc(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        int k = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] < 0 || gold[i] < 0) {
                throw new IllegalArgumentException("negative label at index " + i);
            }
            k = Math.max(k, Math.max(pred[i], gold[i]) + 1);
        }
        long[] predCount = new long[k];
        long[] goldCount = new long[k];
        long correct = 0;
        for (int i = 0; i < pred.length; i++) {
            predCount[pred[i]]++;
            goldCount[gold[i]]++;
            if (pred[i] == gold[i]) {
                correct++;
            }
        }
        double n = pred.length;
        double pk = 0, pp = 0, gg = 0;
        for (int c = 0; c < k; c++) {
            pk += (double) predCount[c] * goldCount[c];
            pp += (double) predCount[c] * predCount[c];
            gg += (double) goldCount[c] * goldCount[c];
        }
        double denom = Math.sqrt(n * n - pp) * Math.sqrt(n * n - gg);
        return denom == 0 ? 0.0 : (correct * n - pk) / denom;
    }

    /** Pearson correlation; NaN when either side is constant (undefined, as SciPy). */
    public static double pearson(float[] a, float[] b) {
        check(a.length, b.length);
        return pearson(toDouble(a), toDouble(b));
    }

    /** Spearman rank correlation, tied values sharing their average rank; NaN when undefined. */
    public static double spearman(float[] a, float[] b) {
        check(a.length, b.length);
        // NaN input has no rank; fail rather than silently pick an order
        NaturalRanking ranking = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);
        return pearson(ranking.rank(toDouble(a)), ranking.rank(toDouble(b)));
    }

    private static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        // clamp rounding just outside [-1, 1]
        return Math.max(-1.0, Math.min(1.0, sxy / Math.sqrt(sxx * syy)));
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void check(int predLength, int goldLength) {
        if (predLength != goldLength) {
            throw new IllegalArgumentException("length mismatch: " + predLength + " predictions vs "
                    + goldLength + " gold");
        }
        if (predLength == 0) {
            throw new IllegalArgumentException("no examples");
        }
    }
}
