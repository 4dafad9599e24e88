package io.pabee.glue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locates the small checked-in fixtures and the real (shared, read-only) GLUE data for tests. */
final class GlueTestDirs {

    private GlueTestDirs() {
    }

    static Path fixture() {
        try {
            return Path.of(GlueTestDirs.class.getResource("/glue-fixture").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The real GLUE dir: -Dglue.dir, else $GLUE_DIR, else ../../shared/data from the module dir; fails if absent. */
    static Path real() {
        String prop = System.getProperty("glue.dir");
        String env = System.getenv("GLUE_DIR");
        Path dir;
        if (prop != null && !prop.isBlank() && !prop.contains("${")) {
            dir = Path.of(prop);
        } else if (env != null && !env.isBlank()) {
            dir = Path.of(env);
        } else {
            dir = Path.of("..", "..", "shared", "data");
        }
        assertTrue(Files.isDirectory(dir), "GLUE data directory not found: " + dir.toAbsolutePath()
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        return dir;
    }
}
