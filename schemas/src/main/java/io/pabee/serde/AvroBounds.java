package io.pabee.serde;

import org.apache.avro.Schema;

/**
 * Walks a binary Avro body against its writer schema before it is decoded, and rejects any string,
 * bytes or block count that claims more than the bytes left. Avro's reader allocates a string or a
 * collection from the length it reads, so an 18-byte record claiming a 2 GiB string would otherwise
 * allocate 2 GiB before it fails; after this walk every allocation is bounded by the record's size.
 */
final class AvroBounds {
    /** Deeper nesting than any of our schemas has; a recursive writer schema cannot recurse without bound. */
    private static final int MAX_DEPTH = 64;
    private final byte[] bytes;
    private int pos;

    private AvroBounds(byte[] bytes, int from) {
        this.bytes = bytes;
        this.pos = from;
    }

    /** Throws {@link BadRecordException} ({@code corrupt-avro}) unless {@code bytes[from..]} fits {@code writer}. */
    static void check(Schema writer, byte[] bytes, int from) {
        new AvroBounds(bytes, from).walk(writer, 0);
    }

    private void walk(Schema s, int depth) {
        if (depth > MAX_DEPTH) {
            throw corrupt("nesting deeper than " + MAX_DEPTH);
        }
        switch (s.getType()) {
            case NULL -> {
            }
            case BOOLEAN -> skip(1);
            case INT, LONG, ENUM -> varint();
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case FIXED -> skip(s.getFixedSize());
            case STRING, BYTES -> skip(length());
            case UNION -> {
                long branch = varint();
                if (branch < 0 || branch >= s.getTypes().size()) {
                    throw corrupt("union branch " + branch + " of " + s.getTypes().size());
                }
                walk(s.getTypes().get((int) branch), depth + 1);
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), depth + 1);
                }
            }
            case ARRAY -> blocks(s.getElementType(), false, depth);
            case MAP -> blocks(s.getValueType(), true, depth);
        }
    }

    private void blocks(Schema item, boolean map, int depth) {
        while (true) {
            long count = varint();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                varint(); // the block's size in bytes, which the writer may add
            }
            // every item takes at least one byte (an entry's key length, a value, a union branch); null items
            // take none, but a count beyond the bytes left is still a lie worth rejecting
            long least = Math.max(1, (map ? 1 : 0) + minSize(item));
            if (count > (bytes.length - pos) / least) {
                throw corrupt("block of " + count + " items in " + (bytes.length - pos) + " bytes");
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    skip(length());
                }
                walk(item, depth + 1);
            }
        }
    }

    private static long minSize(Schema s) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FLOAT -> 4;
            case DOUBLE -> 8;
            case FIXED -> s.getFixedSize();
            case RECORD -> s.getFields().stream().mapToLong(f -> minSize(f.schema())).sum();
            default -> 1;
        };
    }

    private int length() {
        long n = varint();
        if (n < 0 || n > bytes.length - pos) {
            throw corrupt("length " + n + " with " + (bytes.length - pos) + " bytes left");
        }
        return (int) n;
    }

    private void skip(long n) {
        if (n > bytes.length - pos) {
            throw corrupt("needs " + n + " bytes, " + (bytes.length - pos) + " left");
        }
        pos += (int) n;
    }

    /** A zig-zag varint, as Avro writes int and long. */
    private long varint() {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= bytes.length) {
                throw corrupt("ends inside a number");
            }
            byte b = bytes[pos++];
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw corrupt("number longer than 10 bytes");
    }

    private static BadRecordException corrupt(String what) {
        return new BadRecordException("corrupt-avro", "corrupt Avro body: " + what);
    }
}
