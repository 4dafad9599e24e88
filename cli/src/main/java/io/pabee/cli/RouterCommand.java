package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.router.OutputBudget;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.stage.OnnxLayerModel;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pabee router}: the Kafka Streams router role, until interrupted. */
@Command(name = "router", mixinStandardHelpOptions = true,
        header = "Run the router: text events in, PABEE layers 1..K on CPU, results / continuations / dead letters out.")
final class RouterCommand implements Callable<Integer> {
    @Mixin
    KafkaRoleOptions kafka;

    /**
     * Closes the streams instance leaving the group at once, so a router that is stopped (scaled down,
     * redeployed) hands its partitions over now: the default close keeps the membership until the
     * session times out, and with static membership it would never send the leave.
     */
    private record LeavingStreams(KafkaStreams streams) implements AutoCloseable {
        @Override
        public void close() {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
    }

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        RouterConfig cfg = new RouterConfig(all);
        KafkaRoleOptions.ensureModel(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        TopicSetup.ensure(client, cfg);
        io.pabee.serde.SchemaPublisher.publish(client, cfg.schemasTopic());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Properties streamsProps = RouterTopology.streamsConfig(cfg, metrics, all.getProperty("bootstrap.servers"),
                all.getProperty("application.id", "pabee-router"), client);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // loaded once, before any task runs: a missing or tampered model file stops the command with a one-line
        // error, and every task of every stream thread shares this copy across rebalances
        try (OnnxLayerModel model = RouterModel.load(cfg);
             LeavingStreams leaving = new LeavingStreams(new KafkaStreams(RouterTopology.build(cfg, model, metrics), streamsProps));
             StatsHttpServer http = cfg.getInt(RouterConfig.HTTP_PORT_CONFIG) > 0
                     ? new StatsHttpServer(cfg.getInt(RouterConfig.HTTP_PORT_CONFIG), metrics, null) : null) {
            KafkaStreams streams = leaving.streams();
            // on SIGTERM the JVM halts once its hooks return: wait for the close (and its leave-group) below
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                done.countDown();
                try {
                    closed.await(40, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            streams.setStateListener((n, o) -> {
                if (n == KafkaStreams.State.ERROR || n == KafkaStreams.State.NOT_RUNNING) {
                    done.countDown();
                }
            });
            // one accepted event must not produce an output the broker refuses: a start-up error instead
            OutputBudget.check(cfg, model, OutputBudget.maxima(client, cfg, streamsProps));
            streams.start();
            done.await();
            return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
        } finally {
            closed.countDown();
        }
    }
}
