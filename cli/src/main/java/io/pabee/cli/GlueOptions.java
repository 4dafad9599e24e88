package io.pabee.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --glue-dir}, shared by every command that reads GLUE data. */
final class GlueOptions {
    @Option(names = "--glue-dir", description = "GLUE data directory (default: $GLUE_DIR, else ../shared/data beside the checkout).")
    Path glueDir;

    /** The directory to read: the option, else {@code GLUE_DIR}, else {@code ../shared/data}. */
    Path dir() {
        return glueDir != null ? glueDir : Paths.glueDir();
    }
}
