package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch done = new CountDownLatch(1);
        try (AnalyticsRole analytics = new AnalyticsRole(all, metrics, new Properties());
             StatsHttpServer http = new StatsHttpServer(AnalyticsRole.httpPort(all), metrics, analytics::streams)) {
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            analytics.start();
            System.err.println("analytics: /stats and /metrics on port " + http.port());
            done.await();
            return 0;
        }
    }
}
