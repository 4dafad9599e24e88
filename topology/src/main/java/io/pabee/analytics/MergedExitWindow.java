package io.pabee.analytics;

import io.pabee.schema.ExitStats;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second stage of the analytics: for one window, the latest aggregate of every shard. Each
 * shard sends its whole running aggregate, so an update replaces that shard's entry, and the
 * statistics are computed from the merge of all entries.
 */
public final class MergedExitWindow {
    public Map<String, ExitWindow> shards = new TreeMap<>();

    public MergedExitWindow put(ShardWindow update) {
        shards.put(update.shard(), update.window());
        return this;
    }

    public ExitStats toStats(long start, long end) {
        return ExitWindow.merge(shards.values()).toStats(start, end);
    }
}
