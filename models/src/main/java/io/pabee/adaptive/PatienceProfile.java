package io.pabee.adaptive;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What each PABEE patience costs and gives for one task, measured ahead on the dev split: the task
 * metric (accuracy, or Pearson for regression) and the mean number of layers a record runs. It sits
 * beside the task's heads as {@code heads/<task>.patience.json}; the adaptive controller predicts the
 * capacity of a patience from its mean layers and its accuracy cost from the metric.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"task", "split", "metric", "records", "num_layers", "model_version", "source", "rows"})
public record PatienceProfile(String task, String split, String metric, int records,
                              @JsonProperty("num_layers") int numLayers,
                              @JsonProperty("model_version") String modelVersion,
                              String source, List<Row> rows) {
    /** Ending of a profile's file name after the task: {@code SST-2.patience.json}. */
    public static final String SUFFIX = ".patience.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** One patience (0 = full depth): its metric on the split and the mean layers run per record. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Row(int patience, double metric, @JsonProperty("mean_layers") double meanLayers) {
        /** num_layers / mean_layers. */
        public double speedup(int numLayers) {
            return meanLayers <= 0 ? 0 : numLayers / meanLayers;
        }
    }

    public PatienceProfile {
        rows = rows == null ? List.of() : rows.stream().sorted(Comparator.comparingInt(Row::patience)).toList();
    }

    /** The profile file of {@code task} in a model directory. */
    public static Path file(Path modelDir, String task) {
        return modelDir.resolve("heads").resolve(task + SUFFIX);
    }

    /** The task's profile in {@code modelDir}, or empty when none was made for it. */
    public static Optional<PatienceProfile> read(Path modelDir, String task) {
        Path f = file(modelDir, task);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        return Optional.of(read(f));
    }

    /** Reads a profile file. */
    public static PatienceProfile read(Path file) {
        try {
            return JSON.readValue(file.toFile(), PatienceProfile.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read patience profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the profile as indented JSON. */
    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write patience profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** The row of {@code patience}, if measured; a patience of num_layers - 1 or more is full depth (row 0). */
    public Optional<Row> row(int patience) {
        int p = patience >= numLayers - 1 ? 0 : patience;
        return rows.stream().filter(r -> r.patience() == p).findFirst();
    }

    /** Mean layers per record at {@code patience}, if measured. */
    public OptionalDouble meanLayers(int patience) {
        return row(patience).map(r -> OptionalDouble.of(r.meanLayers())).orElse(OptionalDouble.empty());
    }

    /** The task metric at {@code patience}, if measured. */
    public OptionalDouble metric(int patience) {
        return row(patience).map(r -> OptionalDouble.of(r.metric())).orElse(OptionalDouble.empty());
    }
}
