package io.pabee.labeled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads a user's own labeled examples: TSV with a header row naming {@code text}, optional {@code text_pair}
 * and {@code label} columns, or JSON lines ({@code .jsonl}/{@code .json}) with those fields. Labels are
 * strings; their index order is sorted order over the training file, and a dev file may only use those labels.
 * Problems are one-line {@link GlueFormatException}s naming the file and line.
 */
public final class LabeledFileReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabeledFileReader() {
    }

    /** One row before labels are indexed. */
    record Row(int line, String text, String pair, String label) {
    }

    /** Examples of a training file with the label strings found in it (index order). */
    public record Labeled(List<GlueExample> examples, List<String> labels) {
    }

    /** Reads a training file; its distinct labels (sorted) become the task's classes. */
    public static Labeled readTrain(Path file) {
        List<Row> rows = rows(file);
        TreeSet<String> labels = new TreeSet<>();
        rows.forEach(r -> labels.add(r.label()));
        if (labels.size() < 2) {
            throw new GlueFormatException(file, 0, "needs at least two distinct labels, found " + labels);
        }
        List<String> names = List.copyOf(labels);
        return new Labeled(index(file, rows, names), names);
    }

    /** Reads a dev (or test) file against the training file's labels. */
    public static List<GlueExample> read(Path file, List<String> labels) {
        return index(file, rows(file), labels);
    }

    private static List<GlueExample> index(Path file, List<Row> rows, List<String> labels) {
        List<GlueExample> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            int y = labels.indexOf(r.label());
            if (y < 0) {
                throw new GlueFormatException(file, r.line(), "label '" + r.label() + "' is not one of the training labels " + labels);
            }
            out.add(new GlueExample(file.getFileName() + ":" + r.line(), r.text(), r.pair(), y, Float.NaN));
        }
        return out;
    }

    static List<Row> rows(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GlueFormatException(file, 0, "no such file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Row> rows;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            rows = name.endsWith(".jsonl") || name.endsWith(".json") ? jsonLines(file, in) : tsv(file, in);
        } catch (IOException e) {
            throw new GlueFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new GlueFormatException(file, 0, "holds no examples");
        }
        return rows;
    }

    private static List<Row> tsv(Path file, BufferedReader in) throws IOException {
        String header = in.readLine();
        if (header == null) {
            return List.of();
        }
        List<String> cols = List.of(header.replace("\uFEFF", "").split("\t", -1));
        int text = cols.indexOf("text");
        int pair = cols.indexOf("text_pair");
        int label = cols.indexOf("label");
        if (text < 0 || label < 0) {
            throw new GlueFormatException(file, 1, "header must name the columns text and label (and optionally text_pair), found " + cols);
        }
        List<Row> rows = new ArrayList<>();
        String line;
        int n = 1;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != cols.size()) {
                throw new GlueFormatException(file, n, "has " + f.length + " columns, the header " + cols.size());
            }
            rows.add(row(file, n, f[text], pair >= 0 ? f[pair] : null, f[label]));
        }
        return rows;
    }

    private static List<Row> jsonLines(Path file, BufferedReader in) throws IOException {
        List<Row> rows = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (IOException e) {
                throw new GlueFormatException(file, n, "not a JSON object: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
            if (o == null || !o.isObject() || !o.hasNonNull("text") || !o.hasNonNull("label")) {
                throw new GlueFormatException(file, n, "needs a JSON object with \"text\" and \"label\"");
            }
            rows.add(row(file, n, o.get("text").asText(), o.hasNonNull("text_pair") ? o.get("text_pair").asText() : null,
                    o.get("label").asText()));
        }
        return rows;
    }

    private static Row row(Path file, int line, String text, String pair, String label) {
        if (text.isBlank()) {
            throw new GlueFormatException(file, line, "empty text");
        }
        if (label.isBlank()) {
            throw new GlueFormatException(file, line, "empty label");
        }
        return new Row(line, text.trim(), pair == null || pair.isBlank() ? null : pair.trim(), label.trim());
    }
}
