package io.pabee.cli;

import io.pabee.broker.EmbeddedBroker;
import io.pabee.config.CommonConfigs;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.schema.ShadowResult;
import io.pabee.stage.ModelDirectory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench adaptive}: capacity at a fixed patience, then the same arrivals above it through a pipeline
 * with fixed patience and one with adaptive patience (then a recovery phase below capacity): backlog, latency,
 * accuracy on SST-2 dev, degraded share, shadow agreement, exactly-once, and the return to the configured patience.
 */
@Command(name = "adaptive", mixinStandardHelpOptions = true,
        header = "Fixed vs adaptive patience under arrivals above capacity: backlog, p50/p99, accuracy, degraded share, recovery.")
final class BenchAdaptiveCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--patience", description = "Configured patience of both runs (default: the router's, ${DEFAULT-VALUE}).")
    int patience = LocalPipeline.Settings.SHIPPED_PATIENCE;

    @Option(names = "--router-layers", description = "Router K (default: the router's, ${DEFAULT-VALUE}).")
    int routerLayers = LocalPipeline.Settings.SHIPPED_ROUTER_LAYERS;

    @Option(names = "--workers", defaultValue = "1")
    int workers;

    @Option(names = "--capacity-records", defaultValue = "1000",
            description = "Events sent at once to measure capacity (answered/s once drained) at the fixed patience (default ${DEFAULT-VALUE}).")
    int capacityRecords;

    @Option(names = "--capacity", description = "Use this capacity (events/s) instead of measuring it.")
    Double capacity;

    @Option(names = "--warmup-records", defaultValue = "200",
            description = "Unmeasured events through each pipeline first, 16 at a time (default ${DEFAULT-VALUE}).")
    int warmupRecords;

    @Option(names = "--load", defaultValue = "1.5", description = "Arrival rate as a multiple of capacity (default ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--minutes", defaultValue = "5", description = "Minutes of arrivals at --load (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--burst-seconds", defaultValue = "0",
            description = "Capacity x this many events sent at once when the arrivals start, in both runs: a backlog on any "
                    + "machine (default ${DEFAULT-VALUE}).")
    double burstSeconds;

    @Option(names = "--recovery-seconds", defaultValue = "60",
            description = "Adaptive run only: then this long at --recovery-load, so patience returns (default ${DEFAULT-VALUE}).")
    double recoverySeconds;

    @Option(names = "--recovery-load", defaultValue = "0.5")
    double recoveryLoad;

    @Option(names = "--slo-ms", defaultValue = "2000",
            description = "Latency target of the adaptive run, pabee.slo.latency.ms (default ${DEFAULT-VALUE}).")
    long sloMs;

    @Option(names = "--shadow", defaultValue = "0.02",
            description = "Adaptive run: pabee.shadow.sample (default ${DEFAULT-VALUE}).")
    double shadow;

    @Option(names = "--window-seconds", defaultValue = "10",
            description = "Window of the rolling p99 that decides the settling time (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--max-drain-seconds", defaultValue = "600")
    int maxDrainSeconds;

    @Option(names = "--set", description = "A further router or worker setting key=value for both runs (repeatable), "
            + "e.g. pabee.adaptive.raise.after.ms=2000.")
    List<String> set = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        model.validate();
        if (!(load > 0) || !(minutes > 0) || recoverySeconds < 0 || !(recoveryLoad >= 0) || window < 1 || capacityRecords < 1
                || warmupRecords < 0 || burstSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load and --minutes must be > 0; --recovery-seconds, "
                    + "--recovery-load, --warmup-records and --burst-seconds >= 0; --window-seconds and --capacity-records >= 1");
        }
        Map<String, Object> extra = new HashMap<>();
        for (String kv : set) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--set wants key=value, got " + kv);
            }
            extra.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        PrintWriter out = out();
        PrintWriter err = err();
        ModelDirectory dir = model.open(GlueTask.SST_2.dirName(), msg -> { });
        LocalPipeline.Settings fixed;
        try {
            fixed = LocalPipeline.Settings.of(model, dir.path(), model.maxLength(dir), "SST-2", routerLayers, patience, workers, "fp16")
                    .with(extra);
            LocalPipeline.workerConfig(LocalPipeline.routerConfig(fixed, ""), fixed, "check"); // bad values fail here, not later
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--set: " + e.getMessage());
        }
        List<TextEvents.Item> texts = TextEvents.items("", sample.read(GlueTask.SST_2, Split.DEV));
        LocalPipeline.Settings adaptive = fixed.with(Map.of(CommonConfigs.ADAPTIVE_CONFIG, true, CommonConfigs.SLO_CONFIG, sloMs,
                CommonConfigs.SHADOW_SAMPLE_CONFIG, shadow));
        Duration maxDrain = Duration.ofSeconds(maxDrainSeconds);
        java.util.function.Consumer<String> progress = s -> {
            err.println("bench adaptive: " + s);
            err.flush();
        };
        double cap;
        PacedLoad.Run fixedRun;
        List<ShadowResult> fixedShadow;
        PacedLoad.Run adaptiveRun;
        List<ShadowResult> adaptiveShadow;
        try (EmbeddedBroker kafka = LocalBroker.embedded()) {
            try (LocalPipeline p = new LocalPipeline(kafka, fixed, "fixed-", "fixed-")) {
                warm(p, texts);
                cap = capacity != null ? capacity : PacedLoad.capacity(p, "capacity", texts, capacityRecords);
                progress.accept(String.format("capacity at patience %d: %.1f events/s%s", patience, cap,
                        capacity != null ? " (given)" : " (" + capacityRecords + " events at once)"));
                fixedRun = PacedLoad.run(p, "fixed", texts, overload(cap), maxDrain, (s, x) -> { }, progress);
                fixedShadow = p.shadowResults();
            }
            List<PacedLoad.Phase> phases = new ArrayList<>(overload(cap));
            if (recoverySeconds > 0) {
                phases.add(new PacedLoad.Phase("recovery", recoverySeconds, recoveryLoad * cap, 0));
            }
            try (LocalPipeline p = new LocalPipeline(kafka, adaptive, "adaptive-", "adaptive-")) {
                warm(p, texts);
                awaitPlannedPatience(p, progress);
                adaptiveRun = PacedLoad.run(p, "adaptive", texts, phases, maxDrain, (s, x) -> { }, progress);
                adaptiveShadow = p.shadowResults();
            }
        }
        Set<Integer> common = AdaptiveSummary.answeredByAll(List.of(fixedRun, adaptiveRun));
        Integer settled = AdaptiveSummary.settlingSecond(adaptiveRun, sloMs, window);
        List<Map<String, Object>> rows = List.of(
                AdaptiveSummary.row(fixedRun, "fixed", cap, patience, sloMs, window, settled, common, fixedShadow),
                AdaptiveSummary.row(adaptiveRun, "adaptive", cap, patience, sloMs, window, settled, common, adaptiveShadow));
        if (output.report != null) {
            AdaptiveReport.write(output.report, rows, List.of(fixedRun, adaptiveRun), describe(cap, texts.size()));
        }
        output.print(out, rows, output.report == null ? null : output.report.resolve("adaptive.jsonl"), o -> AdaptiveReport.table(o, rows));
        boolean exactlyOnce = rows.stream().allMatch(r -> (Long) r.get("lost") == 0 && (Long) r.get("duplicates") == 0);
        return exactlyOnce ? 0 : 1;
    }

    /** The arrivals of both runs: an optional burst, then --minutes at --load x capacity. */
    private List<PacedLoad.Phase> overload(double cap) {
        return List.of(new PacedLoad.Phase("overload", minutes * 60, load * cap, Math.round(burstSeconds * cap)));
    }

    private String describe(double cap, int texts) {
        return String.format("SST-2 dev repeated (%d texts), router K = %d, configured patience %d, %d worker(s), %s, %d cores. "
                        + "Capacity %.1f events/s%s at patience %d. Both runs: %s%.1f min at %.2fx capacity (%.1f events/s), then "
                        + "drain; the adaptive run (pabee.adaptive.enabled=true, pabee.slo.latency.ms=%d, pabee.shadow.sample=%s) "
                        + "then %.0f s at %.2fx capacity before its drain. Settling = first second after which the rolling p99 "
                        + "(%d s window) stays below the SLO; the 'after' latencies of both runs count from the adaptive run's.",
                texts, routerLayers, patience, workers, model.device,
                Runtime.getRuntime().availableProcessors(), cap, capacity != null ? " (given)" : " (measured: " + capacityRecords
                        + " events at once, answered/s once drained)", patience,
                burstSeconds > 0 ? String.format("a burst of %d events, then ", Math.round(burstSeconds * cap)) : "",
                minutes, load, load * cap, sloMs, shadow, recoverySeconds, recoveryLoad, window);
    }

    /** Warm-up events in small groups, so that a warm-up is no backlog for the controller to react to. */
    private void warm(LocalPipeline p, List<TextEvents.Item> texts) {
        for (int from = 0; from < warmupRecords; from += 16) {
            p.run(PacedLoad.items("warm", texts, from, Math.min(warmupRecords, from + 16)), x -> { }, x -> { });
        }
    }

    /**
     * Waits (up to 60 s) until router and workers plan the configured patience again (a cold start can look like
     * load to the controller), where they publish their plans.
     */
    private void awaitPlannedPatience(LocalPipeline p, java.util.function.Consumer<String> progress) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (lowered(p, "router") || lowered(p, "worker")) {
            if (System.nanoTime() > deadline) {
                progress.accept(String.format("planned patience still router %s, worker %s after the warm-up; starting anyway",
                        PacedLoad.plannedPatience(p.metrics(), "router"), PacedLoad.plannedPatience(p.metrics(), "worker")));
                return;
            }
            Thread.sleep(200);
        }
    }

    private boolean lowered(LocalPipeline p, String role) {
        Double planned = PacedLoad.plannedPatience(p.metrics(), role);
        return planned != null && Math.abs(planned - patience) > 1e-9;
    }
}
