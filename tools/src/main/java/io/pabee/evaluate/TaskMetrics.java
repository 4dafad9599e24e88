package io.pabee.evaluate;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** All GLUE metrics of a task, computed from predictions against gold examples. */
public final class TaskMetrics {

    private TaskMetrics() {
    }

    /** Metrics of a classification task, ordered as {@link GlueTask#metricNames()} (main first). */
    public static Map<String, Double> compute(GlueTask task, int[] predicted, List<GlueExample> gold) {
        if (task.isRegression()) {
            throw new IllegalArgumentException(task + " is a regression task; pass float scores");
        }
        return classification(task.metricNames(), predicted, gold);
    }

    /**
     * Classification metrics by name (accuracy, f1, mcc), in the order given: a GLUE task's, or those of a
     * user's task with any number of classes (accuracy).
     */
    public static Map<String, Double> classification(List<String> metricNames, int[] predicted, List<GlueExample> gold) {
        if (predicted.length != gold.size()) {
            throw new IllegalArgumentException("length mismatch: " + predicted.length
                    + " predictions vs " + gold.size() + " gold examples");
        }
        int[] labels = new int[gold.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = gold.get(i).label();
            if (labels[i] < 0) {
                throw new IllegalArgumentException("gold example " + gold.get(i).id() + " has no label");
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String m : metricNames) {
            out.put(m, switch (m) {
                case "accuracy" -> Metrics.accuracy(predicted, labels);
                case "f1" -> Metrics.f1(predicted, labels);
                case "mcc" -> Metrics.mcc(predicted, labels);
                default -> throw new IllegalStateException("no classification metric " + m);
            });
        }
        return Collections.unmodifiableMap(out);
    }

    /** Metrics of a regression task (STS-B), ordered as {@link GlueTask#metricNames()}. */
    public static Map<String, Double> compute(GlueTask task, float[] predicted, List<GlueExample> gold) {
        if (!task.isRegression()) {
            throw new IllegalArgumentException(task + " is a classification task; pass int labels");
        }
        if (predicted.length != gold.size()) {
            throw new IllegalArgumentException("length mismatch: " + predicted.length
                    + " predictions vs " + gold.size() + " gold examples");
        }
        float[] scores = new float[gold.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = gold.get(i).score();
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("gold example " + gold.get(i).id() + " has no score");
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String m : task.metricNames()) {
            out.put(m, switch (m) {
                case "pearson" -> Metrics.pearson(predicted, scores);
                case "spearman" -> Metrics.spearman(predicted, scores);
                default -> throw new IllegalStateException("no regression metric " + m);
            });
        }
        return Collections.unmodifiableMap(out);
    }

    /** The task's main metric for classification predictions. */
    public static double main(GlueTask task, int[] predicted, List<GlueExample> gold) {
        return compute(task, predicted, gold).get(task.mainMetric());
    }

    /** The task's main metric for regression predictions. */
    public static double main(GlueTask task, float[] predicted, List<GlueExample> gold) {
        return compute(task, predicted, gold).get(task.mainMetric());
    }
}
