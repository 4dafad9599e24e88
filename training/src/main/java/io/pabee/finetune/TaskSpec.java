package io.pabee.finetune;

import io.pabee.evaluate.Metrics;
import io.pabee.evaluate.TaskMetrics;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is being learned: the task's name (a GLUE task or the user's own), its label strings in index
 * order (empty for a regression task) and how dev predictions are scored.
 *
 * @param glue the GLUE task, or null for a user task (scored by accuracy)
 */
public record TaskSpec(String name, List<String> labels, boolean regression, GlueTask glue) {

    public static TaskSpec of(GlueTask task) {
        return new TaskSpec(task.dirName(), task.labelNames(), task.isRegression(), task);
    }

    /** A user's classification task with the given label strings. */
    public static TaskSpec user(String name, List<String> labels) {
        if (labels.size() < 2) {
            throw new IllegalArgumentException("task " + name + " needs at least two labels, got " + labels);
        }
        return new TaskSpec(name, List.copyOf(labels), false, null);
    }

    /** Outputs per head: the number of classes, 1 for regression. */
    public int outputs() {
        return regression ? 1 : labels.size();
    }

    public String problemType() {
        return regression ? "regression" : "classification";
    }

    public String mainMetric() {
        return glue != null ? glue.mainMetric() : "accuracy";
    }

    public Map<String, Double> score(int[] predicted, List<GlueExample> gold) {
        if (glue != null) {
            return TaskMetrics.compute(glue, predicted, gold);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", Metrics.accuracy(predicted, gold.stream().mapToInt(GlueExample::label).toArray()));
        return m;
    }

    public Map<String, Double> score(float[] predicted, List<GlueExample> gold) {
        return TaskMetrics.compute(glue, predicted, gold);
    }
}
