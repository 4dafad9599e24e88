package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import java.nio.file.Path;

/** Default locations, resolved against the checkout ({@code -Dpabee.root}, set by ops/pabee) so any cwd works. */
final class Paths {
    private Paths() {
    }

    static Path root() {
        String r = System.getProperty("pabee.root");
        return Path.of(r == null ? "." : r).toAbsolutePath().normalize();
    }

    /** {@code -Dpabee.home}, else {@code PABEE_HOME}, else {@code <root>/models/prepared}: where prepared models live. */
    static Path modelsHome() {
        String p = System.getProperty("pabee.home");
        if (p == null || p.isBlank()) {
            p = System.getenv("PABEE_HOME");
        }
        return p != null && !p.isBlank() ? Path.of(p) : root().resolve(CommonConfigs.DEFAULT_MODELS_HOME);
    }

    /** {@code GLUE_DIR}, else {@code <root>/../shared/data}. */
    static Path glueDir() {
        String p = System.getenv("GLUE_DIR");
        return p != null && !p.isBlank() ? Path.of(p) : root().resolve("../shared/data").normalize();
    }

    /** {@code PABEE_DATA}, else {@code <root>/.pabee}: {@code pabee up}'s broker data and Streams state (git-ignored). */
    static Path dataHome() {
        String p = System.getenv("PABEE_DATA");
        return p != null && !p.isBlank() ? Path.of(p) : root().resolve(".pabee");
    }

    /** Where reports (CSV, SVG, JSON) go by default. */
    static Path reports() {
        return root().resolve("reports");
    }
}
