package io.pabee.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.stage.LayerModel;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.worker.Worker;
import io.pabee.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * N workers of one group in this process, one thread each ({@code pabee-worker-<i>}, the name
 * ThreadCpu groups by), all sharing one model: the worker role, demo and benchmarks wire their
 * pools here. The caller owns the model and closes it after the pool.
 */
final class WorkerPool implements AutoCloseable {
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AdaptivePatience patience;

    /** Worker {@code i} gets the transactional id suffix {@code idPrefix + i}; all share one adaptive patience. */
    WorkerPool(WorkerConfig cfg, Properties client, String idPrefix, int size, MeterRegistry metrics, LayerModel model) {
        patience = AdaptivePatience.forRole("worker", cfg.values(), model.numLayers(), metrics);
        patience.backlogSource(() -> workers.stream().mapToLong(Worker::lag).sum());
        for (int i = 0; i < size; i++) {
            Worker w = new Worker(cfg, client, idPrefix + i, metrics, model, patience);
            Thread t = new Thread(w, "pabee-worker-" + i);
            t.setUncaughtExceptionHandler((th, e) -> {
                failed.set(true);
                System.err.println("pabee worker: " + th.getName() + " stopped: " + e);
            });
            workers.add(w);
            threads.add(t);
        }
    }

    /** The client properties of a local broker: only its address. */
    static Properties client(String bootstrapServers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** The pool's adaptive patience. */
    AdaptivePatience patience() {
        return patience;
    }

    WorkerPool start() {
        patience.start();
        threads.forEach(Thread::start);
        return this;
    }

    /** Waits until every worker has stopped; true when none died of an exception. */
    boolean await() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        return !failed.get();
    }

    /** Whether every worker thread has ended (after {@link #close()}: none outlived its wait). */
    boolean stopped() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** Asks every worker to stop (safe from a shutdown hook). */
    void stop() {
        workers.forEach(Worker::close);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        for (Thread t : threads) {
            t.join(30_000);
        }
        patience.close();
    }
}
