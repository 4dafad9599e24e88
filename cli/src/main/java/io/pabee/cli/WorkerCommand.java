package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.net.InetAddress;
import java.util.Properties;
import java.util.concurrent.Callable;
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
        WorkerConfig cfg = new WorkerConfig(all);
        KafkaRoleOptions.ensureModel(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // unique per process: two processes sharing a transactional id would fence each other. Zombie fencing
        // does not need a stable id: transactional offset commits carry the consumer group generation (KIP-447).
        String prefix = id != null ? id : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        // one model for the whole pool, closed after every worker has stopped
        OnnxLayerModel model = WorkerModel.load(cfg);
        WorkerPool pool = new WorkerPool(cfg, client, prefix + "-", workers, metrics, model);
        Runtime.getRuntime().addShutdownHook(new Thread(pool::stop));
        boolean ok;
        try (model; StatsHttpServer http = httpPort > 0 ? new StatsHttpServer(httpPort, metrics, null) : null) {
            ok = pool.start().await();
        }
        return ok ? 0 : 1; // a fenced or unauthorized worker is fatal: let the supervisor restart the process
    }
}
