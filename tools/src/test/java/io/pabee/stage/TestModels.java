package io.pabee.stage;

import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** Prepared models for tests: reuses models/prepared/&lt;base&gt; when valid, prepares it from the Maven artifact otherwise. */
public final class TestModels {
    private static final Map<BaseModel, ModelDirectory> CACHE = new ConcurrentHashMap<>();

    private TestModels() {
    }

    public static Path home() {
        return ModelDirectory.home();
    }

    public static synchronized ModelDirectory prepared(BaseModel base) {
        return CACHE.computeIfAbsent(base, b -> {
            try {
                return ModelPreparer.ensurePrepared(b, home().resolve(b.id()), msg -> { });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** GLUE data directory for tests: -Dglue.dir, else GLUE_DIR, else ../shared/data from the checkout root. */
    public static Path glueDir() {
        String p = System.getProperty("glue.dir");
        if (p == null || p.isBlank()) {
            p = System.getenv("GLUE_DIR");
        }
        return Path.of(p == null || p.isBlank() ? "../../shared/data" : p);
    }
}
