package io.pabee.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Benchmark rows as one JSON object per line, printed and optionally written to a report file. */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    public static String of(List<Map<String, Object>> rows) throws JsonProcessingException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : rows) {
            sb.append(JSON.writeValueAsString(r)).append('\n');
        }
        return sb.toString();
    }

    /** Writes the rows to {@code file} (creating its folder) when it is not null; returns the text. */
    public static String write(List<Map<String, Object>> rows, Path file) throws IOException {
        String text = of(rows);
        if (file != null) {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, text);
        }
        return text;
    }
}
