package io.pabee.glue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the labeled GLUE TSV files of the offline copy ({@code <glueDir>/<TASK>/<split>.tsv}).
 *
 * <p>Lines are split on TAB only; '"' is an ordinary character, because MRPC, RTE and STS-B
 * sentences contain unbalanced quotes that a CSV parser would use to merge rows. A leading UTF-8
 * BOM (MRPC) is stripped, sentences are trimmed (SST-2 ends them with a space), and CoLA is read
 * without a header.
 */
public final class GlueReader {

    private static final char BOM = '\uFEFF';

    private GlueReader() {
    }

    /** Column layout of one task's files; {@code header} is null where the file has none. */
    private record Layout(List<String> header, int columns, int text, int textPair, int label,
                          boolean namedLabels) {
    }

    private static Layout layout(GlueTask task) {
        return switch (task) {
            case SST_2 -> new Layout(List.of("sentence", "label"), 2, 0, -1, 1, false);
            case MRPC -> new Layout(List.of("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"),
                    5, 3, 4, 0, false);
            case RTE -> new Layout(List.of("index", "sentence1", "sentence2", "label"),
                    4, 1, 2, 3, true);
            // source, label, author_mark, sentence; no header row
            case COLA -> new Layout(null, 4, 3, -1, 1, false);
            case STS_B -> new Layout(List.of("index", "genre", "filename", "year", "old_index",
                    "source1", "source2", "sentence1", "sentence2", "score"), 10, 7, 8, 9, false);
        };
    }

    /** The GLUE directory: system property {@code glue.dir}, else env {@code GLUE_DIR}, else {@code ../shared/data}. */
    public static Path defaultGlueDir() {
        String prop = System.getProperty("glue.dir");
        if (usable(prop)) {
            return Path.of(prop);
        }
        String env = System.getenv("GLUE_DIR");
        if (usable(env)) {
            return Path.of(env);
        }
        // relative to the repository root, next to which the shared data directory lives
        return Path.of("..", "shared", "data");
    }

    // an undefined Maven property reaches the JVM as the literal "${glue.dir}"
    private static boolean usable(String s) {
        return s != null && !s.isBlank() && !s.contains("${");
    }

    /** Path of the file for a task and split (which may not exist). */
    public static Path file(Path glueDir, GlueTask task, Split split) {
        return glueDir.resolve(task.dirName()).resolve(split.fileName());
    }

    /** Reads all examples of one split, in file order. */
    public static List<GlueExample> read(Path glueDir, GlueTask task, Split split) {
        Path dir = glueDir.resolve(task.dirName());
        Path file = dir.resolve(split.fileName());
        if (!task.hasSplit(split)) {
            throw new GlueFormatException(file, 0, task.dirName() + " has no labeled " + split.id()
                    + " split (available: " + task.splits().stream().map(Split::id)
                    .collect(Collectors.joining(", ")) + ")");
        }
        if (!Files.isDirectory(glueDir)) {
            throw new GlueFormatException(glueDir, 0, "GLUE data directory does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new GlueFormatException(dir, 0, "task directory does not exist");
        }
        String content = decode(file);
        if (!content.isEmpty() && content.charAt(0) == BOM) {
            content = content.substring(1);
        }
        List<String> lines = splitLines(content);

        Layout layout = layout(task);
        int first = 0;
        if (layout.header() != null) {
            if (lines.isEmpty()) {
                throw new GlueFormatException(file, 1, "missing header row " + layout.header());
            }
            List<String> header = List.of(lines.get(0).split("\t", -1));
            if (!header.equals(layout.header())) {
                throw new GlueFormatException(file, 1, "expected header " + layout.header()
                        + " but found " + header);
            }
            first = 1;
        }
        if (lines.size() <= first) {
            throw new GlueFormatException(file, 0, "no data rows");
        }

        String idPrefix = task.dirName() + "/" + split.id() + "/";
        List<GlueExample> out = new ArrayList<>(lines.size() - first);
        for (int i = first; i < lines.size(); i++) {
            int lineNo = i + 1;
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != layout.columns()) {
                throw new GlueFormatException(file, lineNo, "expected " + layout.columns()
                        + " tab-separated columns but found " + f.length);
            }
            String text = sentence(f, layout.text(), file, lineNo);
            String pair = layout.textPair() < 0 ? null : sentence(f, layout.textPair(), file, lineNo);
            String id = idPrefix + (i - first);
            String rawLabel = f[layout.label()].trim();
            if (task.isRegression()) {
                out.add(new GlueExample(id, text, pair, -1, score(rawLabel, file, lineNo)));
            } else {
                int label = label(task, layout, rawLabel, file, lineNo);
                out.add(new GlueExample(id, text, pair, label, Float.NaN));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static String decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GlueFormatException(file, 0, "file does not exist");
        } catch (IOException e) {
            throw new GlueFormatException(file, "cannot read: " + e, e);
        }
        try {
            // strict decoding: a wrongly encoded file should fail loudly, not yield U+FFFD text
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new GlueFormatException(file, "not valid UTF-8: " + e, e);
        }
    }

    // split on '\n' only (BufferedReader would also split on a lone '\r'); the final newline ends
    // the last row rather than starting an empty one
    private static List<String> splitLines(String content) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < content.length()) {
            int nl = content.indexOf('\n', start);
            int end = nl < 0 ? content.length() : nl;
            String line = content.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            lines.add(line);
            start = end + 1;
        }
        return lines;
    }

    private static String sentence(String[] fields, int col, Path file, int lineNo) {
        String s = fields[col].strip();
        if (s.isEmpty()) {
            throw new GlueFormatException(file, lineNo, "empty sentence in column " + (col + 1));
        }
        return s;
    }

    private static int label(GlueTask task, Layout layout, String raw, Path file, int lineNo) {
        int idx = -1;
        if (layout.namedLabels()) {
            idx = task.labelNames().indexOf(raw);
        } else if (raw.length() == 1 && Character.isDigit(raw.charAt(0))) {
            idx = raw.charAt(0) - '0';
        }
        if (idx < 0 || idx >= task.numLabels()) {
            String valid = layout.namedLabels()
                    ? String.join(", ", task.labelNames())
                    : "0.." + (task.numLabels() - 1);
            throw new GlueFormatException(file, lineNo, "unknown label '" + raw + "' (valid: "
                    + valid + ")");
        }
        return idx;
    }

    private static float score(String raw, Path file, int lineNo) {
        float s;
        try {
            s = Float.parseFloat(raw);
        } catch (NumberFormatException e) {
            throw new GlueFormatException(file, lineNo, "score '" + raw + "' is not a number");
        }
        if (!(s >= GlueTask.MIN_SCORE && s <= GlueTask.MAX_SCORE)) {
            throw new GlueFormatException(file, lineNo, "score " + raw + " outside ["
                    + GlueTask.MIN_SCORE + ", " + GlueTask.MAX_SCORE + "]");
        }
        return s;
    }
}
