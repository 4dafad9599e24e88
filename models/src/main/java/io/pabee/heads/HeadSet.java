package io.pabee.heads;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pabee.patience.HeadOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's heads, one per encoder layer, with their per-layer dev metrics and how they were trained.
 * Stored as JSON with each weight matrix as base64 little-endian float32 (≈40 KB for 12 × 2 × 384).
 */
public final class HeadSet {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String task;
    private final String problemType;
    private final List<String> labels;
    private final int hidden;
    private final List<LinearHead> heads;
    private final List<Map<String, Double>> devMetrics;
    private final Map<String, Object> training;

    public HeadSet(String task, String problemType, List<String> labels, int hidden, List<LinearHead> heads,
                   List<Map<String, Double>> devMetrics, Map<String, Object> training) {
        this.task = task;
        this.problemType = problemType;
        this.labels = List.copyOf(labels);
        this.hidden = hidden;
        this.heads = List.copyOf(heads);
        this.devMetrics = List.copyOf(devMetrics);
        this.training = new LinkedHashMap<>(training);
    }

    public String task() {
        return task;
    }

    public String problemType() {
        return problemType;
    }

    public boolean regression() {
        return "regression".equals(problemType);
    }

    public List<String> labels() {
        return labels;
    }

    public int hidden() {
        return hidden;
    }

    public int numLayers() {
        return heads.size();
    }

    /** Index 0 = layer 1. */
    public List<LinearHead> heads() {
        return heads;
    }

    public List<Map<String, Double>> devMetrics() {
        return devMetrics;
    }

    public Map<String, Object> training() {
        return training;
    }

    /** The head of {@code layer} (1-based) applied to a record's hidden state ([CLS] = token 0). */
    public HeadOutput apply(int layer, float[] hiddenState) {
        return heads.get(layer - 1).apply(hiddenState, 0);
    }

    public HeadSet withDevMetrics(List<Map<String, Double>> metrics) {
        return new HeadSet(task, problemType, labels, hidden, heads, metrics, training);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class Stored {
        public int formatVersion = 1;
        public String task;
        public String problemType;
        public List<String> labels = new ArrayList<>();
        public int hidden;
        public int numLayers;
        public int outputs;
        public List<String> weights = new ArrayList<>();
        public List<String> bias = new ArrayList<>();
        public List<Map<String, Double>> devMetrics = new ArrayList<>();
        public Map<String, Object> training = new LinkedHashMap<>();
    }

    public void write(Path file) {
        Stored s = new Stored();
        s.task = task;
        s.problemType = problemType;
        s.labels = labels;
        s.hidden = hidden;
        s.numLayers = heads.size();
        s.outputs = heads.get(0).outputs();
        for (LinearHead h : heads) {
            ByteBuffer w = ByteBuffer.allocate(h.outputs() * hidden * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : h.weights()) {
                w.asFloatBuffer().put(row);
                w.position(w.position() + row.length * 4);
            }
            s.weights.add(Base64.getEncoder().encodeToString(w.array()));
            ByteBuffer b = ByteBuffer.allocate(h.outputs() * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(h.bias());
            s.bias.add(Base64.getEncoder().encodeToString(b.array()));
        }
        s.devMetrics = devMetrics;
        s.training = training;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write heads " + file + ": " + e.getMessage(), e);
        }
    }

    public static HeadSet read(Path file) {
        Stored s;
        try {
            s = JSON.readValue(file.toFile(), Stored.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read heads " + file + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        try {
            if (s.numLayers < 1 || s.hidden < 1 || s.outputs < 1 || s.weights.size() != s.numLayers
                    || s.bias.size() != s.numLayers) {
                throw new IllegalArgumentException("inconsistent sizes (layers " + s.numLayers + ", weights "
                        + s.weights.size() + ", biases " + s.bias.size() + ", hidden " + s.hidden + ")");
            }
            boolean regression = "regression".equals(s.problemType);
            List<LinearHead> heads = new ArrayList<>();
            for (int l = 0; l < s.numLayers; l++) {
                float[] w = floats(s.weights.get(l), s.outputs * s.hidden, "layer " + (l + 1) + " weights");
                float[] b = floats(s.bias.get(l), s.outputs, "layer " + (l + 1) + " bias");
                float[][] rows = new float[s.outputs][s.hidden];
                for (int c = 0; c < s.outputs; c++) {
                    System.arraycopy(w, c * s.hidden, rows[c], 0, s.hidden);
                }
                heads.add(new LinearHead(rows, b, regression));
            }
            return new HeadSet(s.task, s.problemType, s.labels, s.hidden, heads, s.devMetrics, s.training);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed heads file " + file + ": " + e.getMessage(), e);
        }
    }

    private static float[] floats(String b64, int n, String what) {
        byte[] bytes = Base64.getDecoder().decode(b64);
        if (bytes.length != n * 4) {
            throw new IllegalArgumentException(what + " hold " + bytes.length / 4 + " floats, expected " + n);
        }
        float[] out = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
