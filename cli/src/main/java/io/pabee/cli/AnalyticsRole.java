package io.pabee.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.analytics.AnalyticsTopology;
import io.pabee.router.RouterConfig;
import io.pabee.router.TopicSetup;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** The analytics role as {@code pabee analytics} and {@code pabee up} run it: windowed exit statistics, exactly once. */
final class AnalyticsRole implements AutoCloseable {
    /** The /stats and /metrics port when {@code pabee.http.port} does not say. */
    static final int DEFAULT_HTTP_PORT = 8081;

    private final KafkaStreams streams;

    /** Builds the analytics from the role's settings; {@code streamsOverrides} adds Streams-only settings. */
    AnalyticsRole(Properties all, MeterRegistry metrics, Properties streamsOverrides) {
        RouterConfig cfg = new RouterConfig(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        TopicSetup.ensure(client, cfg);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, all.getProperty("application.id", "pabee-analytics"));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, all.getProperty("bootstrap.servers"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putAll(client);
        p.putAll(streamsOverrides);
        streams = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), p);
    }

    /** The HTTP port of the settings: {@code pabee.http.port} when set, else {@link #DEFAULT_HTTP_PORT}. */
    static int httpPort(Properties all) {
        int port = new RouterConfig(all).getInt(RouterConfig.HTTP_PORT_CONFIG);
        return port > 0 ? port : DEFAULT_HTTP_PORT;
    }

    KafkaStreams streams() {
        return streams;
    }

    AnalyticsRole start() {
        streams.start();
        return this;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
