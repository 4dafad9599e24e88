package io.pabee.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker role as {@code pabee worker} and {@code pabee up} run it: one model for the whole pool,
 * closed after every worker has stopped.
 */
final class WorkerRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRole.class);
    private final OnnxLayerModel model;
    private final WorkerPool pool;

    /**
     * {@code workers} workers of the configured group; worker i uses transactional id
     * {@code pabee-worker-<id>-<i>}, so {@code id} must be unique per process.
     */
    WorkerRole(Properties all, String id, int workers, MeterRegistry metrics) throws java.io.IOException {
        WorkerConfig cfg = new WorkerConfig(all);
        KafkaRoleOptions.ensureModel(all);
        model = WorkerModel.load(cfg);
        pool = new WorkerPool(cfg, KafkaRoleOptions.clientProperties(all), id + "-", workers, metrics, model);
    }

    /**
     * {@code <host>-<pid>}: unique per process. Two processes sharing a transactional id would fence each
     * other; zombie fencing does not need a stable id, since transactional offset commits carry the
     * consumer group generation (KIP-447).
     */
    static String processId() throws UnknownHostException {
        return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    }

    WorkerRole start() {
        pool.start();
        return this;
    }

    /** Waits until every worker has stopped; true when none died of an exception. */
    boolean await() throws InterruptedException {
        return pool.await();
    }

    /** Asks every worker to stop after its current transaction (safe from a shutdown hook). */
    void stop() {
        pool.stop();
    }

    /**
     * Stops the workers (each commits or aborts its open transaction), waits for them, then closes the
     * model, unless a worker outlived the wait: freeing native memory under a running inference would
     * crash the JVM, so the model is left to the process exit then.
     */
    @Override
    public void close() throws InterruptedException {
        pool.close();
        if (pool.stopped()) {
            model.close();
        } else {
            LOG.warn("a worker did not stop within 30 s; the model stays loaded until the process exits");
        }
    }
}
