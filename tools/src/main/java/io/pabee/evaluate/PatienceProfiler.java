package io.pabee.evaluate;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.PatiencePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Measures a task's {@link PatienceProfile}: replays PABEE at patience 0 (full depth) and 1..L-2 over head outputs
 * recorded once at every layer, scoring each with the task's main metric as {@code models evaluate} reports it.
 * Patience L-1 and above behave as full depth on an L-layer model (a record cannot be patient for L-1 layers
 * before the last), so row 0 stands for them.
 */
public final class PatienceProfiler {
    /** The router's default {@code pabee.exit.regression.threshold}. */
    public static final float DEFAULT_REGRESSION_THRESHOLD = 0.5f;

    private PatienceProfiler() {
    }

    /** Where the measured head outputs came from, stamped on the profile. */
    public record Provenance(String modelVersion, String source) {
    }

    /**
     * The profile of a GLUE task on {@code split}. {@code regressionThreshold} is PABEE's |score change| for a
     * regression head (as the router's {@code pabee.exit.regression.threshold}); classification ignores it.
     */
    public static PatienceProfile measure(GlueTask task, Split split, HeadOutput[][] outputs, List<GlueExample> gold,
                                          float regressionThreshold, Provenance provenance) {
        return measure(task.dirName(), split.id(), task.mainMetric(), outputs, regressionThreshold,
                o -> Evaluation.metrics(task, o, gold).get(task.mainMetric()), provenance);
    }

    /** The profile of a user's classification task (not GLUE), scored by {@code metric} (e.g. accuracy). */
    public static PatienceProfile measure(String task, String split, String metric, HeadOutput[][] outputs,
                                          List<GlueExample> gold, Provenance provenance) {
        return measure(task, split, metric, outputs, 0f,
                o -> TaskMetrics.classification(List.of(metric), o.labels(), gold).get(metric), provenance);
    }

    private static PatienceProfile measure(String task, String split, String metric, HeadOutput[][] outputs,
                                           float regressionThreshold, ToDoubleFunction<PolicyReplay.Outcome> score,
                                           Provenance provenance) {
        if (outputs.length == 0) {
            throw new IllegalArgumentException("no records to profile " + task + " " + split + " on");
        }
        int layers = outputs[0].length;
        List<PatienceProfile.Row> rows = new ArrayList<>();
        for (int p = 0; p <= Math.max(0, layers - 2); p++) {
            PolicyReplay.Outcome o = PolicyReplay.replay(outputs, new PatiencePolicy(p, regressionThreshold));
            rows.add(new PatienceProfile.Row(p, score.applyAsDouble(o), o.meanExitLayer()));
        }
        return new PatienceProfile(task, split, metric, outputs.length, layers, provenance.modelVersion(),
                provenance.source(), rows);
    }
}
