package io.pabee.glue;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The GLUE tasks available in the offline data copy, with their layout, labels, splits and metrics.
 *
 * <p>Label indices: SST-2 0=negative, 1=positive; MRPC 0=not_equivalent, 1=equivalent;
 * RTE 0=not_entailment, 1=entailment (chosen so that 1 is the "positive" class everywhere, unlike
 * the Hugging Face {@code glue/rte} order); CoLA 0=unacceptable, 1=acceptable. STS-B is a
 * regression task with scores in [0, 5] and has no labels.
 */
public enum GlueTask {
    SST_2("SST-2", false, ProblemType.CLASSIFICATION, List.of("negative", "positive"),
            EnumSet.of(Split.TRAIN, Split.DEV, Split.TEST), List.of("accuracy")),
    MRPC("MRPC", true, ProblemType.CLASSIFICATION, List.of("not_equivalent", "equivalent"),
            EnumSet.of(Split.TRAIN, Split.DEV, Split.TEST), List.of("accuracy", "f1")),
    RTE("RTE", true, ProblemType.CLASSIFICATION, List.of("not_entailment", "entailment"),
            EnumSet.of(Split.TRAIN, Split.DEV), List.of("accuracy")),
    COLA("CoLA", false, ProblemType.CLASSIFICATION, List.of("unacceptable", "acceptable"),
            EnumSet.of(Split.TRAIN, Split.DEV), List.of("mcc", "accuracy")),
    STS_B("STS-B", true, ProblemType.REGRESSION, List.of(),
            EnumSet.of(Split.TRAIN, Split.DEV, Split.TEST), List.of("pearson", "spearman"));

    /** Whether a task predicts a class index or a real-valued score. */
    public enum ProblemType { CLASSIFICATION, REGRESSION }

    /** Lowest STS-B similarity score. */
    public static final float MIN_SCORE = 0f;
    /** Highest STS-B similarity score. */
    public static final float MAX_SCORE = 5f;

    private final String dirName;
    private final boolean pair;
    private final ProblemType problemType;
    private final List<String> labelNames;
    private final Set<Split> splits;
    private final List<String> metricNames;

    GlueTask(String dirName, boolean pair, ProblemType problemType, List<String> labelNames,
             EnumSet<Split> splits, List<String> metricNames) {
        this.dirName = dirName;
        this.pair = pair;
        this.problemType = problemType;
        this.labelNames = labelNames;
        this.splits = Collections.unmodifiableSet(splits);
        this.metricNames = metricNames;
    }

    /** Directory name under the GLUE data directory, e.g. {@code SST-2}. */
    public String dirName() {
        return dirName;
    }

    /** True when each example is a sentence pair. */
    public boolean isPair() {
        return pair;
    }

    public ProblemType problemType() {
        return problemType;
    }

    public boolean isRegression() {
        return problemType == ProblemType.REGRESSION;
    }

    /** Label names in index order; empty for regression. */
    public List<String> labelNames() {
        return labelNames;
    }

    /** Number of classes; 1 for regression (one output). */
    public int numLabels() {
        return isRegression() ? 1 : labelNames.size();
    }

    /** Splits with (labeled) data in the offline copy. */
    public Set<Split> splits() {
        return splits;
    }

    public boolean hasSplit(Split split) {
        return splits.contains(split);
    }

    /** The headline metric, e.g. {@code accuracy}, {@code mcc}, {@code pearson}. */
    public String mainMetric() {
        return metricNames.get(0);
    }

    /** All reported metric names, main metric first. */
    public List<String> metricNames() {
        return metricNames;
    }

    /**
     * Parses a task name case-insensitively, ignoring '-', '_' and spaces: "sst-2", "SST2", "sts_b",
     * "stsb", "cola" all work.
     */
    public static GlueTask parse(String name) {
        String key = normalize(name == null ? "" : name);
        for (GlueTask t : values()) {
            if (normalize(t.dirName).equals(key)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GLUE task '" + name + "'; valid: "
                + Arrays.stream(values()).map(GlueTask::dirName).collect(Collectors.joining(", ")));
    }

    private static String normalize(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replaceAll("[-_\\s]", "");
    }

    @Override
    public String toString() {
        return dirName;
    }
}
