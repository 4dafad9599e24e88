package io.pabee.stage;

/** A model directory that cannot be used: missing or tampered files, or a bad manifest. */
public final class ModelFileException extends RuntimeException {
    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
