package io.pabee.cli;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --glue-dir}, shared by every command that reads GLUE data. */
final class GlueOptions {
    @Option(names = "--glue-dir", description = "GLUE data directory (default: $GLUE_DIR, else ../shared/data beside the checkout).")
    Path glueDir;

    /** The directory to read: the option, else {@code GLUE_DIR}, else {@code ../shared/data}. */
    Path dir() {
        return glueDir != null ? glueDir : Paths.glueDir();
    }

    /** The split's examples, the first {@code limit} only when it is not null. */
    List<GlueExample> read(GlueTask task, Split split, Integer limit) {
        List<GlueExample> all = GlueReader.read(dir(), task, split);
        return limit == null ? all : all.subList(0, Math.min(limit, all.size()));
    }
}
