package io.pabee.serde;

/** An input record that cannot be decoded; {@link #reason()} is a short code for dead letters and metrics. */
public final class BadRecordException extends RuntimeException {
    private final String reason;

    public BadRecordException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BadRecordException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
