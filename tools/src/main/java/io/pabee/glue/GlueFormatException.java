package io.pabee.glue;

import java.nio.file.Path;

/** A GLUE file or directory is missing or does not have the expected layout. */
public class GlueFormatException extends RuntimeException {

    private final Path file;
    private final int line;

    /** @param line 1-based line number, or 0 when the problem is not tied to a line */
    public GlueFormatException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public GlueFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.line = 0;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when not applicable. */
    public int line() {
        return line;
    }
}
