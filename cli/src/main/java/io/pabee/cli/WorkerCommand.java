package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee worker}: N workers of the pool in this process, until interrupted. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        header = "Run workers that finish continuations (CUDA when usable, else CPU), exactly once.")
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    KafkaRoleOptions kafka;

    @Option(names = "--workers", defaultValue = "1",
            description = "Workers (threads) in this process, sharing one model; all join one group (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--http-port", defaultValue = "0", description = "Port for /metrics (0 = none).")
    int httpPort;

    @Option(names = "--id", description = "Worker id prefix, unique per process (default <host>-<pid>); "
            + "worker i uses transactional id pabee-worker-<id>-<i>.")
    String id;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch closed = new CountDownLatch(1);
        boolean ok;
        try (WorkerRole role = new WorkerRole(all, id != null ? id : WorkerRole.processId(), workers, metrics);
             StatsHttpServer http = httpPort > 0 ? new StatsHttpServer(httpPort, metrics, null) : null) {
            // each worker finishes its transaction and leaves the group: its partitions go to the rest of the pool now
            StopSignals.install(role::stop, closed, Duration.ofSeconds(40));
            ok = role.start().await();
        } finally {
            closed.countDown();
        }
        return ok ? 0 : 1; // a fenced or unauthorized worker is fatal: let the supervisor restart the process
    }
}
