package io.pabee.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.file.PathUtils;

/**
 * A run's saved state in {@code <run>/checkpoint/}: the trainable arrays, the optimizer moments, and where the
 * run stood (step, epoch, next batch of that epoch's plan). Written to a temporary directory and swapped in,
 * so a run killed while saving keeps its previous checkpoint.
 */
public final class Checkpoint {
    static final String DIR = "checkpoint";
    private static final String STATE = "state.json";
    private static final String PARAMS = "params.ndlist";
    private static final String MOMENTS = "optimizer.ndlist";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {
    }

    /** Where the run stood. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class State {
        /** sha256 over base model, task, training data and settings: a checkpoint only resumes its own run. */
        public String runId;
        public String task;
        public int step;
        public int epoch;
        /** Index of the next batch in this epoch's {@link BatchPlan}. */
        public int batch;
        public int optimizerUpdates;
        public long tokens;
        public double seconds;
        public List<Map<String, Object>> evaluations = new ArrayList<>();
    }

    public static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(DIR).resolve(STATE));
    }

    public static void save(Path runDir, State state, Map<String, NDArray> params, Map<String, NDArray> moments)
            throws IOException {
        Files.createDirectories(runDir);
        Path tmp = runDir.resolve(DIR + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        write(tmp.resolve(PARAMS), params);
        write(tmp.resolve(MOMENTS), moments);
        JSON.writeValue(tmp.resolve(STATE).toFile(), state);
        Path dir = runDir.resolve(DIR);
        Path old = runDir.resolve(DIR + ".old");
        deleteTree(old);
        if (Files.exists(dir)) {
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    private static void write(Path file, Map<String, NDArray> arrays) throws IOException {
        NDList list = new NDList();
        arrays.forEach((name, a) -> {
            a.setName(name);
            list.add(a);
        });
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            list.encode(os);
        }
    }

    public static State readState(Path runDir) throws IOException {
        Path f = runDir.resolve(DIR).resolve(STATE);
        try {
            return JSON.readValue(f.toFile(), State.class);
        } catch (IOException e) {
            throw new IOException("cannot read checkpoint " + f + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    public static Map<String, NDArray> readParams(Path runDir, NDManager manager) throws IOException {
        return read(runDir.resolve(DIR).resolve(PARAMS), manager);
    }

    public static Map<String, NDArray> readMoments(Path runDir, NDManager manager) throws IOException {
        return read(runDir.resolve(DIR).resolve(MOMENTS), manager);
    }

    static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                out.put(a.getName(), a);
            }
            return out;
        }
    }

    /** Removes {@code p} and everything below it, if it exists. */
    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            PathUtils.deleteDirectory(p);
        }
    }
}
