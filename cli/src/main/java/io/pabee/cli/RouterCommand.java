package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.router.RouterConfig;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pabee router}: the Kafka Streams router role, until interrupted. */
@Command(name = "router", mixinStandardHelpOptions = true,
        header = "Run the router: text events in, PABEE layers 1..K on CPU, results / continuations / dead letters out.")
final class RouterCommand implements Callable<Integer> {
    @Mixin
    KafkaRoleOptions kafka;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        int httpPort = new RouterConfig(all).getInt(RouterConfig.HTTP_PORT_CONFIG);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (RouterRole router = new RouterRole(all, metrics, new Properties());
             StatsHttpServer http = httpPort > 0 ? new StatsHttpServer(httpPort, metrics, null) : null) {
            KafkaStreams streams = router.streams();
            StopSignals.install(done::countDown, closed, Duration.ofSeconds(40));
            streams.setStateListener((n, o) -> {
                if (n == KafkaStreams.State.ERROR || n == KafkaStreams.State.NOT_RUNNING) {
                    done.countDown();
                }
            });
            router.start();
            done.await();
            return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
        } finally {
            closed.countDown();
        }
    }
}
