package io.pabee.adaptive;

import java.nio.charset.StandardCharsets;

/**
 * A record's id as a number in [0, 1), the same in every process and after every restart, so a
 * sampling or mixing decision made for an id is made again the same way when the record is replayed.
 * Each use passes its own salt, so shadow sampling and patience mixing are independent.
 */
public final class IdFraction {
    private IdFraction() {
    }

    /** The id's fraction under {@code salt} (64-bit FNV-1a of the UTF-8 bytes, then a SplitMix64 finish). */
    public static double of(String id, long salt) {
        long h = 0xcbf29ce484222325L ^ salt;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }
}
