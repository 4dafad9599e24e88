package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.Worker;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
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
        Properties client = KafkaRoleOptions.clientProperties(all);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // unique per process: two processes sharing a transactional id would fence each other. Zombie fencing
        // does not need a stable id: transactional offset commits carry the consumer group generation (KIP-447).
        String prefix = id != null ? id : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        List<Worker> pool = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        // one model for the whole pool, closed after every worker has stopped
        OnnxLayerModel model = WorkerModel.load(cfg);
        for (int i = 0; i < workers; i++) {
            Worker w = new Worker(cfg, client, prefix + "-" + i, metrics, model);
            Thread t = new Thread(w, "pabee-worker-" + i);
            t.setUncaughtExceptionHandler((th, e) -> {
                failed.set(true);
                System.err.println("pabee worker: " + th.getName() + " stopped: " + e);
            });
            pool.add(w);
            threads.add(t);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> pool.forEach(Worker::close)));
        try (model; StatsHttpServer http = httpPort > 0 ? new StatsHttpServer(httpPort, metrics, null) : null) {
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
        }
        return failed.get() ? 1 : 0; // a fenced or unauthorized worker is fatal: let the supervisor restart the process
    }
}
