package io.pabee.analytics;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitStats;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Exit analytics: results → tumbling windows (event time) → {@code ExitStats} on the exit-stats
 * topic and in a queryable window store; per-record exit and latency metrics via Micrometer.
 * Two stages, so the per-record work is spread over partitions: each result is aggregated in its
 * shard (the results partition its id hashes to), and every shard's running aggregate goes to one
 * merge per window. With record caching the merge sees about one update per shard and commit
 * interval, not one per result. Shadow results take the same path in shards of their own
 * ({@code shadow-<n>}), so each window's merge also carries its shadow count and agreement; the gauge
 * {@code pabee_shadow_agreement} shows the agreement of the latest window that has shadow runs.
 */
public final class AnalyticsTopology {
    /** The merged windows (key {@link #ALL}) the stats endpoint reads. */
    public static final String STATS_STORE = "exit-stats-store";
    /** The first stage's windows, one per shard and window. */
    public static final String SHARD_STORE = "exit-stats-by-shard";
    /** The first stage's windows of shadow results, one per shard and window. */
    public static final String SHADOW_SHARD_STORE = "shadow-stats-by-shard";
    /** The merged windows' key. */
    public static final String ALL = "all";

    private AnalyticsTopology() {
    }

    public static Topology build(RouterConfig cfg, MeterRegistry metrics) {
        StreamsBuilder b = new StreamsBuilder();
        Duration size = Duration.ofMillis(cfg.getLong(RouterConfig.WINDOW_CONFIG));
        Duration grace = Duration.ofSeconds(5);
        TimeWindows windows = TimeWindows.ofSizeAndGrace(size, grace);
        int shards = cfg.getInt(RouterConfig.PARTITIONS_CONFIG);
        KStream<String, ShardWindow> shadowUpdates = b.stream(cfg.shadowTopic(), Consumed.with(Serdes.String(),
                        AvroSerde.of(ShadowResult.class)).withName("shadow-results"))
                .groupBy((k, s) -> shard(s.getId(), shards), Grouped.with("shadows-by-shard", Serdes.String(),
                        AvroSerde.of(ShadowResult.class)))
                .windowedBy(windows)
                .aggregate(ExitWindow::new, (k, s, w) -> w.addShadow(s), Named.as("shadow-window"),
                        Materialized.<String, ExitWindow, WindowStore<Bytes, byte[]>>as(SHADOW_SHARD_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(ExitWindow.serde()))
                .toStream(Named.as("shadow-window-updates"))
                .map((wk, w) -> KeyValue.pair(ALL, new ShardWindow("shadow-" + wk.key(), w)), Named.as("shadow-to-merge"));
        LatestAgreement agreement = new LatestAgreement();
        io.micrometer.core.instrument.Gauge.builder("pabee_shadow_agreement", agreement, LatestAgreement::value)
                .description("Shadow agreement of the latest analytics window with shadow runs (NaN before any)")
                .strongReference(true)
                .register(metrics);
        b.stream(cfg.resultsTopic(), Consumed.with(Serdes.String(), AvroSerde.of(Classification.class)).withName("results"))
                .peek((k, c) -> {
                    metrics.counter("pabee_results_total", "site", c.getExitedAt().name().toLowerCase(),
                            "layer", Integer.toString(c.getExitLayer())).increment();
                    // a histogram, so Prometheus can compute latency quantiles across instances
                    io.micrometer.core.instrument.Timer.builder("pabee_result_latency").publishPercentileHistogram()
                            .register(metrics).record(Duration.ofMillis(Math.max(0, c.getLatencyMs())));
                }, Named.as("result-metrics"))
                .groupBy((k, c) -> shard(c.getId(), shards), Grouped.with("results-by-shard", Serdes.String(),
                        AvroSerde.of(Classification.class)))
                .windowedBy(windows)
                .aggregate(ExitWindow::new, (k, c, w) -> w.add(c), Named.as("exit-window"),
                        Materialized.<String, ExitWindow, WindowStore<Bytes, byte[]>>as(SHARD_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(ExitWindow.serde()))
                .toStream(Named.as("exit-window-updates"))
                .map((wk, w) -> KeyValue.pair(ALL, new ShardWindow(wk.key(), w)), Named.as("to-merge"))
                .merge(shadowUpdates, Named.as("with-shadows"))
                .groupByKey(Grouped.with("shard-windows", Serdes.String(), ExitWindow.json(ShardWindow.class)))
                // a shard's update carries the timestamp of a record inside the window, so it lands in the same window;
                // the longer grace lets a shard that lags the others still reach the merge
                .windowedBy(TimeWindows.ofSizeAndGrace(size, grace.plus(size)))
                .aggregate(MergedExitWindow::new, (k, u, m) -> m.put(u), Named.as("merged-window"),
                        Materialized.<String, MergedExitWindow, WindowStore<Bytes, byte[]>>as(STATS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(ExitWindow.json(MergedExitWindow.class)))
                .toStream(Named.as("merged-window-updates"))
                .map((wk, m) -> KeyValue.pair(wk.key() + "@" + wk.window().start(),
                        m.toStats(wk.window().start(), wk.window().end())), Named.as("to-exit-stats"))
                .peek((k, s) -> agreement.update(s), Named.as("shadow-agreement-gauge"))
                .to(cfg.exitStatsTopic(), Produced.with(Serdes.String(), AvroSerde.of(ExitStats.class)).withName("exit-stats"));
        return b.build();
    }

    /** The shadow agreement of the newest window (by start) that has shadow runs, for the gauge. */
    static final class LatestAgreement {
        private long windowStart = Long.MIN_VALUE;
        private double value = Double.NaN;

        synchronized void update(ExitStats s) {
            if (s.getShadowAgreement() != null && s.getWindowStart() >= windowStart) {
                windowStart = s.getWindowStart();
                value = s.getShadowAgreement();
            }
        }

        synchronized double value() {
            return value;
        }
    }

    /** The shard of a result: the results partition its id hashes to (Kafka's default partitioner). */
    static String shard(String id, int shards) {
        return Integer.toString(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % shards);
    }
}
