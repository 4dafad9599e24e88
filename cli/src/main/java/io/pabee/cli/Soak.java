package io.pabee.cli;

import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.broker.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sustained load: produce faster than the pipeline can answer for a while, then let it drain. Samples
 * the backlog (produced − answered), heap, live heap (after the last GC) and RSS each second; counts
 * results and dead letters apart, an id answered twice (in either) as a duplicate and an id in neither as lost.
 */
final class Soak {
    /** What a soak run saw. */
    record Result(long produced, long answered, long deadLetters, long duplicates, long lost, long maxBacklog, double drainSeconds,
                  long maxHeapBytes, long baseLiveHeapBytes, long maxLiveHeapBytes, long maxRssBytes, double seconds,
                  List<long[]> samples) {
        Map<String, Object> row() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("produced", produced);
            m.put("answered", answered);
            m.put("dead_letters", deadLetters);
            m.put("duplicates", duplicates);
            m.put("lost", lost);
            m.put("max_backlog", maxBacklog);
            m.put("drain_seconds", drainSeconds);
            m.put("max_heap_mb", maxHeapBytes / (1024 * 1024));
            m.put("live_heap_growth_mb", (maxLiveHeapBytes - baseLiveHeapBytes) / (1024 * 1024));
            m.put("max_rss_mb", maxRssBytes / (1024 * 1024));
            m.put("seconds", seconds);
            return m;
        }
    }

    private Soak() {
    }

    static long rss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux: RSS is reported as 0
        }
        return 0;
    }

    /**
     * Heap in use right after the last garbage collection of each heap pool (an old generation that has not
     * been collected for a while still counts its garbage); after {@code System.gc()}, what is really held.
     */
    static long liveHeap() {
        long sum = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            java.lang.management.MemoryUsage u = pool.getType() == java.lang.management.MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (u != null) {
                sum += u.getUsed();
            }
        }
        return sum;
    }

    /** The shipped router settings, workers on CPU, fp16 continuations, all cores, 128 tokens. */
    static Result run(EmbeddedBroker kafka, Path modelDir, List<String> texts, int burst, double seconds, double rate, int workers,
                      Consumer<String> progress) throws Exception {
        return run(kafka, new LocalPipeline.Settings(modelDir, "SST-2", LocalPipeline.Settings.SHIPPED_ROUTER_LAYERS,
                LocalPipeline.Settings.SHIPPED_PATIENCE, workers, "cpu", 0, 128, "fp16"), texts, burst, seconds, rate, progress);
    }

    static Result run(EmbeddedBroker kafka, LocalPipeline.Settings settings, List<String> texts, double seconds, double rate,
                      Consumer<String> progress) throws Exception {
        return run(kafka, settings, texts, 0, seconds, rate, progress);
    }

    /**
     * As above, but {@code burst} events are sent at once before the paced ones: a backlog of at least that
     * size on any machine, however fast.
     */
    static Result run(EmbeddedBroker kafka, LocalPipeline.Settings settings, List<String> texts, int burst, double seconds,
                      double rate, Consumer<String> progress) throws Exception {
        AtomicLong answered = new AtomicLong();
        AtomicLong deadLetters = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<long[]> samples = new ArrayList<>();
        long start = System.nanoTime();
        long produced = 0;
        long maxBacklog = 0;
        long maxHeap = 0;
        long maxRss = 0;
        long baseLive = 0;
        long maxLive = 0;
        double drain;
        try (LocalPipeline p = new LocalPipeline(kafka, settings, "soak-", "soak-")) {
            Consumer<Classification> onResult = c -> {
                if (!ids.add(c.getId())) {
                    duplicates.incrementAndGet();
                }
                answered.incrementAndGet();
            };
            Consumer<DeadLetter> onDead = d -> {
                if (d.getId() != null && !ids.add(d.getId())) {
                    duplicates.incrementAndGet();
                }
                deadLetters.incrementAndGet();
                answered.incrementAndGet();
            };
            LocalPipeline.Run warm = p.run(List.of(new TextEvents.Item("warm-0", texts.get(0), null, -1)), x -> { }, x -> { });
            System.gc(); // the live-heap baseline: model loaded, pipeline warm, nothing in flight
            baseLive = liveHeap();
            long endProduce = start + (long) (seconds * 1e9);
            long nextSample = System.nanoTime();
            int n = 0;
            if (burst > 0) {
                List<TextEvents.Item> batch = new ArrayList<>();
                while (n < burst) {
                    batch.add(new TextEvents.Item("soak-" + n, texts.get(n % texts.size()), null, -1));
                    n++;
                }
                p.send(batch);
                produced += batch.size();
            }
            while (System.nanoTime() < endProduce || answered.get() < produced) {
                long now = System.nanoTime();
                if (now < endProduce) {
                    long due = burst + (long) ((now - start) / 1e9 * rate);
                    List<TextEvents.Item> batch = new ArrayList<>();
                    while (produced + batch.size() < due) {
                        batch.add(new TextEvents.Item("soak-" + n, texts.get(n % texts.size()), null, -1));
                        n++;
                    }
                    p.send(batch);
                    produced += batch.size();
                }
                p.poll(onResult, onDead);
                if (System.nanoTime() >= nextSample) {
                    Runtime rt = Runtime.getRuntime();
                    long heap = rt.totalMemory() - rt.freeMemory();
                    long r = rss();
                    long backlog = produced - answered.get();
                    maxBacklog = Math.max(maxBacklog, backlog);
                    maxHeap = Math.max(maxHeap, heap);
                    maxRss = Math.max(maxRss, r);
                    if (burst > 0) {
                        System.gc(); // the tests' exact live heap, at the cost of a full collection per second
                    }
                    maxLive = Math.max(maxLive, liveHeap());
                    samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, produced, answered.get(), backlog, heap, r});
                    progress.accept(String.format("t=%4.0fs produced %6d answered %6d backlog %5d heap %4d MB rss %4d MB",
                            (System.nanoTime() - start) / 1e9, produced, answered.get(), backlog, heap >> 20, r >> 20));
                    nextSample += 1_000_000_000L;
                }
                if (System.nanoTime() - endProduce > 600e9) {
                    break; // never drain for more than 10 minutes
                }
            }
            drain = Math.max(0, (System.nanoTime() - endProduce) / 1e9);
            assert warm.results().size() == 1;
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < produced; i++) {
            expected.add("soak-" + i);
        }
        expected.removeAll(ids);
        return new Result(produced, answered.get(), deadLetters.get(), duplicates.get(), expected.size(), maxBacklog, drain, maxHeap,
                baseLive, Math.max(baseLive, maxLive), maxRss, (System.nanoTime() - start) / 1e9, samples);
    }
}
