package io.pabee.stage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code manifest.json} of a prepared model directory: what the stages were cut from, and every file's sha256. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Manifest {
    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public int formatVersion = 1;
    /** Base model id, e.g. bge-small-en-v15. */
    public String base;
    /** Maven coordinates of the jar it came from. */
    public String baseArtifact;
    /** sha256 of the monolithic ONNX file inside that jar. */
    public String baseSha256;
    public int numLayers;
    public int hidden;
    /** Longest sequence the position embeddings allow. */
    public int maxPositions;
    /** Default truncation length for tokenization. */
    public int maxSequenceLength;
    /** Stage files, index 0 = embeddings, index N = encoder layer N. */
    public List<String> stages = new ArrayList<>();
    public String tokenizer;
    /** The monolithic model, kept for verification and benchmarks. */
    public String monolithic;
    /** File name → sha256, for every file above and every head file. */
    public Map<String, String> sha256 = new LinkedHashMap<>();
    /** True when the base model quantizes activations dynamically: results then depend on batch composition. */
    public boolean dynamicQuantization;
    /** Max abs difference between chained stages and the monolithic model at prepare time. */
    public Double verifiedMaxAbsDiff;
    /** The task the encoder weights were fine-tuned for (stages carry tuned weights); null for the stock encoder. */
    public String tunedFor;
    /** Task name → installed heads. */
    public Map<String, HeadsEntry> heads = new LinkedHashMap<>();

    /** One task's heads in this model directory. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class HeadsEntry {
        public String file;
        public String problemType;
        public List<String> labels = new ArrayList<>();
        /** Per-layer dev metrics (index 0 = layer 1). */
        public List<Map<String, Double>> devMetrics = new ArrayList<>();
    }

    public static Manifest read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            throw new IOException("no " + FILE + " in " + dir + "; run `pabee models prepare` first");
        }
        try {
            return JSON.readValue(f.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new IOException("cannot parse " + f + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    public void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
