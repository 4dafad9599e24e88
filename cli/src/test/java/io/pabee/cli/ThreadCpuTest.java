package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The benchmark's CPU breakdown: thread names map to components, and a busy thread's CPU shows up under its component. */
class ThreadCpuTest {

    @Test
    void shouldGroupThreadNamesIntoComponents() {
        assertThat(ThreadCpu.component("e2e3-router-4f")).isEqualTo("router stream thread");
        assertThat(ThreadCpu.component("pabee-analytics")).isEqualTo("analytics stream thread");
        assertThat(ThreadCpu.component("pabee-worker-0")).isEqualTo("worker thread");
        assertThat(ThreadCpu.component("pabee-baseline")).isEqualTo("baseline consumer thread");
        assertThat(ThreadCpu.component("java")).isEqualTo("ONNX Runtime pool + main thread");
        assertThat(ThreadCpu.component("C2 CompilerThre")).isEqualTo("JIT compiler");
        assertThat(ThreadCpu.component("data-plane-kafk")).isEqualTo("Kafka broker");
        assertThat(ThreadCpu.component("kafka-producer-")).isEqualTo("Kafka clients' I/O threads");
        assertThat(ThreadCpu.component("Signal Dispatch")).isEqualTo("other");
    }

    @Test
    void shouldAttributeABusyThreadsCpuToItsComponent() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc (not Linux)");
        Map<String, Long> before = ThreadCpu.snapshot();
        AtomicReference<Map<String, Long>> after = new AtomicReference<>();
        Thread busy = new Thread(() -> {
            // spin until this thread has used 300 ms of CPU, however loaded the machine is
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long start = mx.getCurrentThreadCpuTime();
            long x = 0;
            while (mx.getCurrentThreadCpuTime() - start < 300_000_000L) {
                x += System.nanoTime() % 7;
            }
            if (x == 42) {
                System.out.print("");
            }
            // read the counters from inside: /proc forgets a thread as soon as it ends
            after.set(ThreadCpu.snapshot());
        }, "pabee-worker-9");
        busy.start();
        busy.join();
        assertThat(ThreadCpu.byComponent(before, after.get()).get("worker thread")).isGreaterThanOrEqualTo(0.2);
    }
}
