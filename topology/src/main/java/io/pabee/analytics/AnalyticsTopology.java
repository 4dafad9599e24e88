package io.pabee.analytics;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitStats;
import io.pabee.serde.AvroSerde;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Exit analytics: results → tumbling windows (event time) → {@code ExitStats} on the exit-stats
 * topic and in a queryable window store; per-record exit and latency metrics via Micrometer.
 */
public final class AnalyticsTopology {
    public static final String STATS_STORE = "exit-stats-store";
    /** All results are aggregated together; the key is this constant. */
    public static final String ALL = "all";

    private AnalyticsTopology() {
    }

    public static Topology build(RouterConfig cfg, MeterRegistry metrics) {
        StreamsBuilder b = new StreamsBuilder();
        Duration size = Duration.ofMillis(cfg.getLong(RouterConfig.WINDOW_CONFIG));
        b.stream(cfg.resultsTopic(), Consumed.with(Serdes.String(), AvroSerde.of(Classification.class)).withName("results"))
                .peek((k, c) -> {
                    metrics.counter("pabee_results_total", "site", c.getExitedAt().name().toLowerCase(),
                            "layer", Integer.toString(c.getExitLayer())).increment();
                    // a histogram, so Prometheus can compute latency quantiles across instances
                    io.micrometer.core.instrument.Timer.builder("pabee_result_latency").publishPercentileHistogram()
                            .register(metrics).record(Duration.ofMillis(Math.max(0, c.getLatencyMs())));
                }, Named.as("result-metrics"))
                .groupBy((k, c) -> ALL, Grouped.with("results-by-all", Serdes.String(), AvroSerde.of(Classification.class)))
                .windowedBy(TimeWindows.ofSizeAndGrace(size, Duration.ofSeconds(5)))
                .aggregate(ExitWindow::new, (k, c, w) -> w.add(c), Named.as("exit-window"),
                        Materialized.<String, ExitWindow, WindowStore<Bytes, byte[]>>as(STATS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(ExitWindow.serde()))
                .toStream(Named.as("exit-window-updates"))
                .map((wk, w) -> KeyValue.pair(wk.key() + "@" + wk.window().start(),
                        w.toStats(wk.window().start(), wk.window().end())), Named.as("to-exit-stats"))
                .to(cfg.exitStatsTopic(), Produced.with(Serdes.String(), AvroSerde.of(ExitStats.class)).withName("exit-stats"));
        return b.build();
    }
}
