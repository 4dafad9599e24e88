package io.pabee.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads, native ones included (ONNX Runtime's pool), read from
 * /proc and grouped by component, so a benchmark can say where the cores went. Empty where /proc
 * does not exist.
 */
final class ThreadCpu {
    /** Clock ticks per second of /proc's utime and stime; 100 on every Linux we run on. */
    private static final double TICKS = 100.0;

    private ThreadCpu() {
    }

    /** CPU ticks so far per thread ("tid name"). */
    static Map<String, Long> snapshot() {
        Map<String, Long> m = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return m;
        }
        try (Stream<Path> s = Files.list(tasks)) {
            s.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String tid = t.getFileName().toString();
                    String name = Files.readString(t.resolve("comm")).trim();
                    // fields after "(comm) ": state is #0, utime #11, stime #12
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    m.put(tid + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            });
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    /** Seconds of CPU per component between two snapshots, largest first. */
    static Map<String, Double> byComponent(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> sum = new HashMap<>();
        after.forEach((thread, ticks) -> {
            long d = ticks - before.getOrDefault(thread, 0L);
            if (d > 0) {
                sum.merge(component(thread.substring(thread.indexOf(' ') + 1)), d / TICKS, Double::sum);
            }
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        sum.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The component a thread belongs to, from its (15-character) Linux thread name. */
    static String component(String name) {
        if (name.contains("-router-")) {
            return "router stream thread";
        }
        if (name.contains("-analytics")) {
            return "analytics stream thread";
        }
        if (name.startsWith("pabee-worker")) {
            return "worker thread";
        }
        if (name.startsWith("pabee-baseline")) {
            return "baseline consumer thread";
        }
        if (name.equals("java")) {
            // ONNX Runtime's native pool threads carry the process name; so does Java's main thread,
            // which here only reads results
            return "ONNX Runtime pool + main thread";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT compiler";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "garbage collector";
        }
        if (name.startsWith("kafka-producer") || name.startsWith("kafka-admin")) {
            return "Kafka clients' I/O threads";
        }
        if (name.startsWith("data-plane") || name.startsWith("kafka-") || name.contains("coordinat")
                || name.startsWith("Txn") || name.startsWith("AddPartitions") || name.startsWith("quorum")
                || name.startsWith("raft") || name.startsWith("broker-") || name.startsWith("controller-")
                || name.startsWith("executor-") || name.startsWith("ExpirationReape") || name.startsWith("LogDirFailure")) {
            return "Kafka broker";
        }
        return "other";
    }
}
