package io.pabee.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C and SIGTERM for the long-running roles, handled before the JVM starts shutting down: ONNX
 * Runtime releases its native environment in a shutdown hook of its own, which runs alongside ours,
 * so a router or worker still inferring then would crash the JVM (SIGSEGV). Handled here, the
 * command stops its roles, returns and exits; the hooks run after. A second signal stops at once.
 */
final class StopSignals {
    private StopSignals() {
    }

    /**
     * On SIGINT or SIGTERM runs {@code stop} (which only asks the command to stop); a JVM shutdown that
     * comes another way (SIGHUP, an exit elsewhere) runs it too and waits up to {@code wait} for
     * {@code closed}, since the JVM halts once its hooks return.
     */
    static void install(Runnable stop, CountDownLatch closed, Duration wait) {
        AtomicBoolean requested = new AtomicBoolean();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (!requested.compareAndSet(false, true)) {
                        System.err.println("pabee: second " + s + ": stopping at once");
                        Runtime.getRuntime().halt(128 + s.getNumber());
                    }
                    stop.run();
                });
            } catch (IllegalArgumentException e) {
                // the VM keeps this signal (-Xrs) or the OS has none: the shutdown hook below still stops the roles
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (requested.compareAndSet(false, true)) {
                stop.run();
            }
            try {
                closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pabee-shutdown"));
    }
}
