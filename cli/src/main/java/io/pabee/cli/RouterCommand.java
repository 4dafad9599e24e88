package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.stage.OnnxLayerModel;
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
        RouterConfig cfg = new RouterConfig(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        TopicSetup.ensure(client, cfg);
        io.pabee.serde.SchemaPublisher.publish(client, cfg.schemasTopic());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Properties streamsProps = RouterTopology.streamsConfig(all.getProperty("bootstrap.servers"),
                all.getProperty("application.id", "pabee-router"), client);
        CountDownLatch done = new CountDownLatch(1);
        // loaded once, before any task runs: a missing or tampered model file stops the command with a one-line
        // error, and every task of every stream thread shares this copy across rebalances
        try (OnnxLayerModel model = RouterModel.load(cfg);
             KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, model, metrics), streamsProps);
             StatsHttpServer http = cfg.getInt(RouterConfig.HTTP_PORT_CONFIG) > 0
                     ? new StatsHttpServer(cfg.getInt(RouterConfig.HTTP_PORT_CONFIG), metrics, null) : null) {
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            streams.setStateListener((n, o) -> {
                if (n == KafkaStreams.State.ERROR || n == KafkaStreams.State.NOT_RUNNING) {
                    done.countDown();
                }
            });
            streams.start();
            done.await();
            return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }
}
