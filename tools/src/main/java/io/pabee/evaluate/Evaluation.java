package io.pabee.evaluate;

import io.pabee.features.LayerFeatures;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.HeadOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Task metrics, mean exit layer and speed-up of exit policies, and the per-layer ("overthinking") curve. */
public final class Evaluation {
    private Evaluation() {
    }

    /** Applies a head to a [CLS] vector found at an offset of a larger array. */
    @FunctionalInterface
    public interface OffsetHeads {
        HeadOutput apply(int layer, float[] data, int offset);
    }

    /** One policy setting's result. Speed-up is L / mean exit layer. */
    public record PolicyRow(String task, String split, String policy, String setting, String metric, double score,
                            Map<String, Double> metrics, double meanExitLayer, double speedup, int[] exitHistogram) {
    }

    /** Every layer's head output for every record: {@code [record][layer-1]}. */
    public static HeadOutput[][] headOutputs(LayerFeatures f, OffsetHeads heads) {
        HeadOutput[][] out = new HeadOutput[f.count()][f.numLayers()];
        for (int l = 1; l <= f.numLayers(); l++) {
            float[] data = f.layer(l);
            for (int r = 0; r < f.count(); r++) {
                out[r][l - 1] = heads.apply(l, data, r * f.hidden());
            }
        }
        return out;
    }

    public static Map<String, Double> metrics(GlueTask task, PolicyReplay.Outcome o, List<GlueExample> gold) {
        return task.isRegression() ? TaskMetrics.compute(task, o.scores(), gold) : TaskMetrics.compute(task, o.labels(), gold);
    }

    public static PolicyRow evaluate(GlueTask task, Split split, HeadOutput[][] outputs, List<GlueExample> gold,
                                     ExitPolicy policy) {
        PolicyReplay.Outcome o = PolicyReplay.replay(outputs, policy);
        Map<String, Double> m = metrics(task, o, gold);
        int layers = outputs.length == 0 ? 0 : outputs[0].length;
        int[] hist = new int[layers + 1];
        for (int l : o.exitLayer()) {
            hist[l]++;
        }
        double mean = o.meanExitLayer();
        return new PolicyRow(task.dirName(), split.id(), policy.name(), policy.setting(), task.mainMetric(),
                m.get(task.mainMetric()), m, mean, layers / mean, hist);
    }

    /**
     * The main score a policy's curve reaches at {@code speedup}, linearly interpolated between its two
     * nearest settings; NaN outside the curve's range. Lets PABEE be compared with a baseline "at the same speed-up".
     */
    public static double scoreAt(List<PolicyRow> rows, String policy, double speedup) {
        List<PolicyRow> curve = rows.stream().filter(r -> r.policy().equals(policy))
                .sorted(java.util.Comparator.comparingDouble(PolicyRow::speedup)).toList();
        for (int i = 0; i + 1 < curve.size(); i++) {
            PolicyRow a = curve.get(i);
            PolicyRow b = curve.get(i + 1);
            if (speedup >= a.speedup() && speedup <= b.speedup()) {
                double span = b.speedup() - a.speedup();
                return span == 0 ? Math.max(a.score(), b.score())
                        : a.score() + (b.score() - a.score()) * (speedup - a.speedup()) / span;
            }
        }
        return curve.size() == 1 && curve.get(0).speedup() == speedup ? curve.get(0).score() : Double.NaN;
    }

    /** The metric of each layer's head alone (fixed depth k for k = 1..L). */
    public static List<Map<String, Double>> perLayer(GlueTask task, HeadOutput[][] outputs, List<GlueExample> gold) {
        return perLayer(outputs, o -> metrics(task, o, gold));
    }

    /** The named classification metrics of each layer's head alone, e.g. accuracy of a user's task. */
    public static List<Map<String, Double>> perLayer(List<String> metricNames, HeadOutput[][] outputs, List<GlueExample> gold) {
        return perLayer(outputs, o -> TaskMetrics.classification(metricNames, o.labels(), gold));
    }

    private static List<Map<String, Double>> perLayer(HeadOutput[][] outputs,
                                                      Function<PolicyReplay.Outcome, Map<String, Double>> score) {
        int layers = outputs.length == 0 ? 0 : outputs[0].length;
        List<Map<String, Double>> out = new ArrayList<>();
        for (int l = 1; l <= layers; l++) {
            out.add(score.apply(PolicyReplay.replay(outputs, new io.pabee.patience.FixedDepthPolicy(l))));
        }
        return out;
    }
}
