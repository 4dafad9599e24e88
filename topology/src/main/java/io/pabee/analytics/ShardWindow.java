package io.pabee.analytics;

/** One shard's running aggregate of a window, on its way to the merge stage. */
public record ShardWindow(String shard, ExitWindow window) {
}
