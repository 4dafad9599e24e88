package io.pabee.cli;

import io.pabee.bench.InProcessBench;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee bench inprocess}: monolithic vs staged vs PABEE with dynamic re-batching, records/s, per batch order. */
@Command(name = "inprocess", mixinStandardHelpOptions = true,
        header = "Records/s of the monolithic model, the staged model at full depth, and PABEE with dynamic re-batching.")
final class BenchInProcessCommand extends BenchBase implements Callable<Integer> {
    @Mixin
    PassOptions passes;

    @Option(names = "--task", defaultValue = "SST-2", description = "GLUE task whose records to run (default ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--split", defaultValue = "dev", description = "Split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--patience", defaultValue = "1,2,3,4,5,6", description = "Patience settings (default ${DEFAULT-VALUE}).")
    String patience;

    @Option(names = "--order", defaultValue = "arrival,length", split = ",",
            description = "Batch orders of the staged runs, passes interleaved (default ${DEFAULT-VALUE}): arrival (as the records "
                    + "come) or length (similar token counts share a stage call).")
    List<String> orders;

    @Option(names = "--spin", description = "Let ONNX Runtime's threads spin while waiting for work (default off).")
    boolean spin;

    @Override
    public Integer call() throws Exception {
        GlueTask t = GlueTask.parse(task);
        model.validate();
        PrintWriter out = out();
        ModelDirectory dir = model.open(t.dirName(), msg -> { });
        HeadSet heads = HeadSet.read(dir.heads(t.dirName()));
        int maxLength = model.maxLength(dir);
        TaskData data;
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), maxLength)) {
            data = TaskData.load(sample.glue.dir(), t, Split.parse(split), tok);
        }
        var records = sample.limit != null ? data.tokens.subList(0, Math.min(sample.limit, data.size())) : data.tokens;
        int[] patiences = Arrays.stream(patience.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        List<BatchOrder> batchOrders;
        try {
            batchOrders = orders.stream().map(BatchOrder::parse).distinct().toList();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--order: " + e.getMessage());
        }
        StagedEncoder.Options opts = new StagedEncoder.Options(model.executionDevice(), model.threads, spin, 0, Integer.MAX_VALUE);
        List<InProcessBench.Row> rows;
        String device;
        try (StagedEncoder enc = new StagedEncoder(dir, opts);
             ModelPreparer.Monolithic mono = new ModelPreparer.Monolithic(dir.path().resolve(dir.manifest().monolithic),
                     dir.hidden(), model.executionDevice())) {
            device = enc.device();
            rows = new InProcessBench(enc, mono, heads::apply, passes.batchSize, passes.repeats).run(records, patiences, batchOrders);
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (InProcessBench.Row r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", r.mode());
            o.put("setting", r.setting());
            o.put("batch_order", r.order());
            o.put("records_per_s", r.recordsPerSecond());
            o.put("padding_efficiency", Double.isNaN(r.paddingEfficiency()) ? null : r.paddingEfficiency());
            Double vsArrival = vsArrival(rows, r);
            o.put("records_per_s_vs_arrival", vsArrival);
            o.put("mean_exit_layer", r.meanExitLayer());
            o.put("ideal_records_per_s", Double.isNaN(r.idealRecordsPerSecond()) ? null : r.idealRecordsPerSecond());
            o.put("ratio_to_ideal", Double.isNaN(r.ratioToIdeal()) ? null : r.ratioToIdeal());
            o.put("mean_batch", r.meanBatch());
            o.put("records", r.records());
            o.put("task", t.dirName());
            o.put("device", device);
            o.put("threads", io.pabee.stage.OrtRuntime.threads());
            objects.add(o);
        }
        output.print(out, objects, o -> {
            o.printf("%s %s, %d records, batch %d, device %s, %d ORT threads, median of %d passes%n",
                    t.dirName(), split, records.size(), passes.batchSize, device, io.pabee.stage.OrtRuntime.threads(), passes.repeats);
            o.printf("ideal = monolithic records/s x L / mean exit layer; padding = real tokens / computed tokens of the encoder "
                    + "layers; vs arrival = records/s / the arrival-order row's%n");
            o.printf("%-12s %-12s %-8s %12s %10s %14s %9s %10s %8s %10s%n", "mode", "setting", "order", "records/s", "mean exit",
                    "ideal rec/s", "ratio", "mean batch", "padding", "vs arrival");
            for (InProcessBench.Row r : rows) {
                Double vs = vsArrival(rows, r);
                o.printf("%-12s %-12s %-8s %12.1f %10.2f %14s %9s %10.1f %8s %10s%n", r.mode(), r.setting(), r.order(),
                        r.recordsPerSecond(), r.meanExitLayer(),
                        Double.isNaN(r.idealRecordsPerSecond()) ? "-" : String.format("%.1f", r.idealRecordsPerSecond()),
                        Double.isNaN(r.ratioToIdeal()) ? "-" : String.format("%.3f", r.ratioToIdeal()), r.meanBatch(),
                        Double.isNaN(r.paddingEfficiency()) ? "-" : String.format("%.3f", r.paddingEfficiency()),
                        vs == null ? "-" : String.format("%.2fx", vs));
            }
        });
        return 0;
    }

    /** Records/s of a staged row over the same mode and setting in arrival order; null for arrival rows and the monolithic one. */
    private static Double vsArrival(List<InProcessBench.Row> rows, InProcessBench.Row r) {
        if (r.order().equals(BatchOrder.ARRIVAL.label())) {
            return null;
        }
        return rows.stream().filter(a -> a.mode().equals(r.mode()) && a.setting().equals(r.setting())
                        && a.order().equals(BatchOrder.ARRIVAL.label()))
                .findFirst().map(a -> r.recordsPerSecond() / a.recordsPerSecond()).orElse(null);
    }
}
