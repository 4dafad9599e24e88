package io.pabee.router;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ids received within the retention, for dead-lettering duplicates. Two changelogged stores: id →
 * first-seen time answers "seen?" in one lookup, and a time index (big-endian time, then the id)
 * lets expiry visit only the expired entries with one range scan from the oldest. A window store
 * would expire whole segments for free, but looking one id up in it probes every segment of the
 * retention; a versioned store keeps history we do not need. Expiry runs on wall-clock
 * punctuation, like the retention it enforces (time since the id was received, not event time).
 */
final class SeenIds {
    private final KeyValueStore<String, Long> byId;
    private final KeyValueStore<Bytes, byte[]> byTime;
    private static final byte[] PRESENT = new byte[0];

    SeenIds(KeyValueStore<String, Long> byId, KeyValueStore<Bytes, byte[]> byTime) {
        this.byId = byId;
        this.byTime = byTime;
    }

    /** When {@code id} was first received, or null. */
    Long firstSeen(String id) {
        return byId.get(id);
    }

    void add(String id, long now) {
        byId.put(id, now);
        byTime.put(timeKey(now, id), PRESENT);
    }

    /** Forgets every id received before {@code cutoff}; returns how many. */
    int expireBefore(long cutoff) {
        List<Bytes> old = new ArrayList<>();
        // keys are (time, id); a bare 8-byte cutoff sorts before every key of that time, so the inclusive
        // range ends with the last id received before the cutoff
        try (KeyValueIterator<Bytes, byte[]> it = byTime.range(timeKey(0, ""), timeKey(cutoff, ""))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                old.add(kv.key);
            }
        }
        for (Bytes k : old) {
            byTime.delete(k);
            String id = new String(k.get(), Long.BYTES, k.get().length - Long.BYTES, StandardCharsets.UTF_8);
            Long first = byId.get(id);
            if (first != null && first < cutoff) {
                byId.delete(id);
            }
        }
        return old.size();
    }

    static Bytes timeKey(long time, String id) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + idBytes.length).putLong(time).put(idBytes).array());
    }
}
