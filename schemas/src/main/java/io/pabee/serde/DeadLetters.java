package io.pabee.serde;

import io.pabee.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Builds dead letters whose size does not depend on the input: the original key and value are cut
 * to a prefix, the whole value is identified by its length and sha256, and the detail is one short
 * line. A dead letter that wrapped a 1 MB value would itself exceed the producer's limit.
 */
public final class DeadLetters {
    /** Longest detail line kept, in characters. */
    public static final int MAX_DETAIL_CHARS = 500;
    /** Upper bound of a dead letter's bytes besides the two prefixes, id and topic name (fields, lengths, hash, detail). */
    public static final int FIXED_OVERHEAD_BYTES = 3 * MAX_DETAIL_CHARS + 256;

    private DeadLetters() {
    }

    /**
     * A builder with the original key and value (each at most {@code prefixBytes}), their lengths,
     * the value's sha256, the reason and the first line of {@code detail}; the caller adds id,
     * stage, source and time.
     */
    public static DeadLetter.Builder of(byte[] key, byte[] value, int prefixBytes, String reason, String detail) {
        return DeadLetter.newBuilder()
                .setOriginalKey(prefix(key, prefixBytes))
                .setOriginalKeyLength(key == null ? null : key.length)
                .setOriginalValue(prefix(value, prefixBytes))
                .setOriginalValueLength(value == null ? null : value.length)
                .setOriginalValueSha256(value == null ? null : sha256(value))
                .setReason(reason)
                .setDetail(firstLine(detail, reason));
    }

    /** The first line of {@code detail} (or {@code fallback}), cut to {@link #MAX_DETAIL_CHARS}. */
    public static String firstLine(String detail, String fallback) {
        String line = detail == null ? fallback : detail.lines().findFirst().orElse(fallback);
        if (line.length() > MAX_DETAIL_CHARS) {
            int end = MAX_DETAIL_CHARS;
            if (Character.isHighSurrogate(line.charAt(end - 1))) {
                end--;
            }
            line = line.substring(0, end) + "…";
        }
        return line;
    }

    /** An id safe to put in a dead letter: null when it is longer than {@code maxChars} (the key prefix keeps it). */
    public static String boundedId(String id, int maxChars) {
        return id == null || id.length() > maxChars ? null : id;
    }

    private static ByteBuffer prefix(byte[] bytes, int max) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes.length <= max ? bytes : Arrays.copyOf(bytes, max));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
