package io.pabee.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitStats;
import io.pabee.schema.ShadowResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Running aggregate of one analytics window: exit-layer histogram, router share, a bounded,
 * deterministic latency sample for percentiles, what the results got (lowered patience and why,
 * patience used, router K) and the shadow runs finished in the window. Stored as JSON in the window
 * store; fields added later read as 0 from an older aggregate.
 */
public final class ExitWindow {
    /** Latency values kept per window; beyond this, a deterministic reservoir sample. */
    static final int MAX_SAMPLES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    public long count;
    public long router;
    public int numLayers;
    public long[] histogram = new long[0];
    public List<Long> latencies = new ArrayList<>();
    /** Results whose patience was lowered by the adaptive controller (load) or by their latency budget. */
    public long loweredLoad;
    public long loweredBudget;
    /** Sum and count of patience_used over the results that report one (v1 results do not). */
    public long patienceSum;
    public long patienceCount;
    /** Sum and count of router_layers over the results that report one. */
    public long routerLayersSum;
    public long routerLayersCount;
    /** Shadow runs finished in the window, and how many agreed with the full-depth answer. */
    public long shadowCount;
    public long shadowAgree;

    public ExitWindow add(Classification c) {
        numLayers = Math.max(numLayers, c.getNumLayers());
        if (histogram.length < numLayers) {
            histogram = Arrays.copyOf(histogram, numLayers);
        }
        int layer = c.getExitLayer();
        if (layer >= 1 && layer <= histogram.length) {
            histogram[layer - 1]++;
        }
        count++;
        if (c.getExitedAt() == io.pabee.schema.ExitSite.ROUTER) {
            router++;
        }
        if ("load".equals(c.getLoweredReason())) {
            loweredLoad++;
        } else if ("budget".equals(c.getLoweredReason())) {
            loweredBudget++;
        }
        if (c.getPatienceUsed() != null) {
            patienceSum += c.getPatienceUsed();
            patienceCount++;
        }
        if (c.getRouterLayers() != null) {
            routerLayersSum += c.getRouterLayers();
            routerLayersCount++;
        }
        long latency = c.getLatencyMs();
        if (latencies.size() < MAX_SAMPLES) {
            latencies.add(latency);
        } else {
            // Algorithm R with a hash of the count as the "random" draw: same input, same sample
            long j = Math.floorMod(Long.hashCode(count * 0x9E3779B97F4A7C15L), count);
            if (j < MAX_SAMPLES) {
                latencies.set((int) j, latency);
            }
        }
        return this;
    }

    /** One finished shadow run: it counts toward the window's shadow agreement, not its results. */
    public ExitWindow addShadow(ShadowResult s) {
        shadowCount++;
        if (s.getAgree()) {
            shadowAgree++;
        }
        return this;
    }

    /**
     * Several shards' aggregates of one window as one. Latency samples are kept whole while they fit
     * {@link #MAX_SAMPLES}; beyond that each shard contributes a share of the sample proportional to
     * its record count (a prefix of its own deterministic sample), so no shard's latencies dominate.
     */
    public static ExitWindow merge(Collection<ExitWindow> parts) {
        ExitWindow m = new ExitWindow();
        long samples = 0;
        for (ExitWindow w : parts) {
            m.count += w.count;
            m.router += w.router;
            m.loweredLoad += w.loweredLoad;
            m.loweredBudget += w.loweredBudget;
            m.patienceSum += w.patienceSum;
            m.patienceCount += w.patienceCount;
            m.routerLayersSum += w.routerLayersSum;
            m.routerLayersCount += w.routerLayersCount;
            m.shadowCount += w.shadowCount;
            m.shadowAgree += w.shadowAgree;
            m.numLayers = Math.max(m.numLayers, w.numLayers);
            if (m.histogram.length < w.histogram.length) {
                m.histogram = Arrays.copyOf(m.histogram, w.histogram.length);
            }
            for (int i = 0; i < w.histogram.length; i++) {
                m.histogram[i] += w.histogram[i];
            }
            samples += w.latencies.size();
        }
        for (ExitWindow w : parts) {
            int take = samples <= MAX_SAMPLES ? w.latencies.size()
                    : (int) Math.min(w.latencies.size(), Math.round((double) MAX_SAMPLES * w.count / Math.max(1, m.count)));
            m.latencies.addAll(w.latencies.subList(0, take));
        }
        return m;
    }

    public ExitStats toStats(long start, long end) {
        double sum = 0;
        List<Long> hist = new ArrayList<>(histogram.length);
        for (int i = 0; i < histogram.length; i++) {
            sum += (i + 1) * (double) histogram[i];
            hist.add(histogram[i]);
        }
        double mean = count == 0 ? 0 : sum / count;
        long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double seconds = Math.max(1e-3, (end - start) / 1000.0);
        return ExitStats.newBuilder()
                .setWindowStart(start)
                .setWindowEnd(end)
                .setCount(count)
                .setExitHistogram(hist)
                .setMeanExitLayer(mean)
                .setSpeedup(mean == 0 ? 0 : numLayers / mean)
                .setNumLayers(numLayers)
                .setRecordsPerS(count / seconds)
                .setLatencyP50Ms(percentile(lat, 0.50))
                .setLatencyP95Ms(percentile(lat, 0.95))
                .setLatencyP99Ms(percentile(lat, 0.99))
                .setRouterShare(count == 0 ? 0 : (double) router / count)
                .setLoweredLoad(loweredLoad)
                .setLoweredBudget(loweredBudget)
                .setDegradedShare(count == 0 ? 0 : (double) (loweredLoad + loweredBudget) / count)
                .setMeanPatienceUsed(patienceCount == 0 ? null : (double) patienceSum / patienceCount)
                .setMeanRouterLayers(routerLayersCount == 0 ? null : (double) routerLayersSum / routerLayersCount)
                .setShadowCount(shadowCount)
                .setShadowAgreement(shadowCount == 0 ? null : (double) shadowAgree / shadowCount)
                .build();
    }

    /** Nearest-rank percentile of sorted values; 0 for none. */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static Serde<ExitWindow> serde() {
        return json(ExitWindow.class);
    }

    /** A JSON serde for the analytics' own state types. */
    static <T> Serde<T> json(Class<T> type) {
        Serializer<T> ser = (topic, w) -> {
            try {
                return w == null ? null : JSON.writeValueAsBytes(w);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<T> de = (topic, b) -> {
            try {
                return b == null ? null : JSON.readValue(b, type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
