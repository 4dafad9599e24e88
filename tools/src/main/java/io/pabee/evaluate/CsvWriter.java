package io.pabee.evaluate;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Writes RFC 4180 CSV: CRLF row ends, fields with comma, quote, CR or LF quoted, quotes doubled. */
public final class CsvWriter implements Closeable, Flushable {

    private static final String EOL = "\r\n";

    private final Writer out;

    public CsvWriter(Writer out) {
        this.out = out;
    }

    /** Opens (creating or truncating) a UTF-8 CSV file. */
    public static CsvWriter open(Path file) throws IOException {
        return new CsvWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    /** Writes one row; null fields are written empty, others with {@code String.valueOf}. */
    public CsvWriter row(Object... fields) {
        return row(Arrays.asList(fields));
    }

    /** Writes one row; null fields are written empty, others with {@code String.valueOf}. */
    public CsvWriter row(List<?> fields) {
        try {
            out.write(line(fields));
            out.write(EOL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** One row without its line end. */
    public static String line(List<?> fields) {
        return fields.stream().map(f -> quote(f == null ? "" : String.valueOf(f)))
                .collect(Collectors.joining(","));
    }

    /** The field as it must appear in CSV. */
    public static String quote(String field) {
        boolean needs = field.indexOf(',') >= 0 || field.indexOf('"') >= 0
                || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0;
        return needs ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
