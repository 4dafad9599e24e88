package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.AnalyticsTopology;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.router.RouterConfig;
import io.pabee.router.TopicSetup;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pabee analytics}: windowed exit statistics, /stats and /metrics over HTTP, until interrupted. */
@Command(name = "analytics", mixinStandardHelpOptions = true,
        header = "Run exit analytics: results in, exit-stats windows out, /stats (interactive queries) and /metrics.")
final class AnalyticsCommand implements Callable<Integer> {
    @Mixin
    KafkaRoleOptions kafka;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        RouterConfig cfg = new RouterConfig(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        TopicSetup.ensure(client, cfg);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, all.getProperty("application.id", "pabee-analytics"));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, all.getProperty("bootstrap.servers"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putAll(client);
        int port = cfg.getInt(RouterConfig.HTTP_PORT_CONFIG) > 0 ? cfg.getInt(RouterConfig.HTTP_PORT_CONFIG) : 8081;
        CountDownLatch done = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), p);
             StatsHttpServer http = new StatsHttpServer(port, metrics, () -> streams)) {
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            streams.start();
            System.err.println("analytics: /stats and /metrics on port " + http.port());
            done.await();
            return 0;
        }
    }
}
