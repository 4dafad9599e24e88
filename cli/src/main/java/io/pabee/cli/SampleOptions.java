package io.pabee.cli;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The records a benchmark runs: GLUE data ({@code --glue-dir}) and {@code --limit}. */
final class SampleOptions {
    @Mixin
    GlueOptions glue;

    @Option(names = "--limit", description = "Use only the first N records of the split (default: all; bench worker: 400).")
    Integer limit;

    /** The split's first {@code --limit} examples; all of them when the option is not given. */
    List<GlueExample> read(GlueTask task, Split split) {
        return glue.read(task, split, limit);
    }

    /** The split's first {@code --limit} examples, {@code fallback} of them when the option is not given. */
    List<GlueExample> read(GlueTask task, Split split, int fallback) {
        return glue.read(task, split, limit != null ? limit : fallback);
    }
}
