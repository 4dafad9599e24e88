package io.pabee.cli;

import io.pabee.broker.KafkaBroker;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pabee bench baseline}: what a user would build instead of PABEE — a plain exactly-once
 * consumer running the monolithic model on each poll, batches in arrival order — on SST-2 dev.
 */
@Command(name = "baseline", mixinStandardHelpOptions = true,
        header = "The user's alternative: consumer -> monolithic ONNX (batches in arrival order) -> transactional producer.")
final class BenchBaselineCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--batch-size", defaultValue = "32", description = "Records per monolithic call (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--warmup-passes", defaultValue = "1", description = "Unmeasured passes over all records first (default ${DEFAULT-VALUE}).")
    int warmupPasses;

    @Option(names = "--passes", defaultValue = "3",
            description = "Measured passes; the row is the median pass by records/s (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--bootstrap-servers", description = "Run against this cluster (default: an embedded broker in this JVM).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", description = "Prefix of the topics, group and transactional id (default: unique per run).")
    String topicPrefix;

    @Override
    public Integer call() throws Exception {
        model.validate();
        if (passes < 1 || warmupPasses < 0 || batchSize < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--passes and --batch-size must be >= 1, --warmup-passes >= 0");
        }
        PrintWriter err = err();
        ModelDirectory dir = ModelDirectory.open(model.dir());
        List<GlueExample> dev = sample.read(GlueTask.SST_2, Split.DEV);
        BaselineBench.Settings settings = new BaselineBench.Settings(dir, "SST-2", model.executionDevice(), model.threads,
                model.maxLength(dir), batchSize);
        String prefix = topicPrefix != null ? topicPrefix : "bench-" + System.currentTimeMillis() + "-";
        Map<String, Object> row;
        try (KafkaBroker kafka = bootstrapServers != null ? LocalBroker.at(bootstrapServers) : LocalBroker.embedded();
             BaselineBench bench = new BaselineBench(kafka, settings, prefix)) {
            row = bench.measure(dev, warmupPasses, passes, err);
        }
        output.print(out(), List.of(row), o -> {
            o.printf("SST-2 dev, %d records, batch %d in arrival order, %d ORT threads, median of %d passes (after %d warm-up)%n",
                    row.get("records"), batchSize, row.get("threads"), passes, warmupPasses);
            o.printf("%-10s %10s %14s %9s %8s %7s%n", "mode", "records/s", "records/CPU-s", "accuracy", "padding", "dead");
            Double perCpu = (Double) row.get("records_per_cpu_s");
            o.printf("%-10s %10.1f %14s %9.4f %8.3f %7s%n", row.get("mode"), (Double) row.get("records_per_s"),
                    perCpu == null ? "-" : String.format("%.1f", perCpu), (Double) row.get("accuracy"),
                    (Double) row.get("padding_efficiency"), row.get("dead_letters"));
            o.println("where the time went (seconds of the median pass, " + String.format("%.2f", (Double) row.get("seconds"))
                    + " s wall): " + BaselineBench.timeSpent(row));
        });
        return 0;
    }
}
