package io.pabee.cli;

import io.pabee.glue.GlueExample;
import io.pabee.bench.JsonLines;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
import io.pabee.broker.EmbeddedBroker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee bench soak}: produce above capacity for M minutes, then drain; backlog, heap, RSS, lost and duplicated ids. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        header = "Sustained load above capacity through broker, router and workers: backlog grows then drains, nothing lost.")
final class BenchSoakCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    SampleOptions sample;

    @Option(names = "--minutes", defaultValue = "1", description = "Minutes of production (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "150", description = "Records per second produced (default ${DEFAULT-VALUE}; capacity here is ~100).")
    double rate;

    @Option(names = "--workers", defaultValue = "1")
    int workers;

    @Option(names = "--report", description = "Write the summary as one JSON line to this file.")
    Path report;

    @Override
    public Integer call() throws Exception {
        model.validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelDirectory dir = ModelDirectory.open(model.dir());
        List<String> texts = sample.read(GlueTask.SST_2, Split.DEV).stream().map(GlueExample::text).toList();
        LocalPipeline.Settings settings = LocalPipeline.Settings.of(model, dir.path(), model.maxLength(dir), "SST-2",
                LocalPipeline.Settings.SHIPPED_ROUTER_LAYERS, LocalPipeline.Settings.SHIPPED_PATIENCE, workers, "fp16");
        Soak.Result r;
        try (EmbeddedBroker kafka = LocalBroker.embedded()) {
            r = Soak.run(kafka, settings, texts, minutes * 60, rate, s -> {
                err.println("soak: " + s);
                err.flush();
            });
        }
        String line = JsonLines.write(List.of(r.row()), report);
        out.printf("produced %d, answered %d, lost %d, duplicates %d; max backlog %d, drained %.1f s after production stopped; "
                        + "max heap %d MB, max RSS %d MB%n%s", r.produced(), r.answered(), r.lost(), r.duplicates(), r.maxBacklog(),
                r.drainSeconds(), r.maxHeapBytes() >> 20, r.maxRssBytes() >> 20, line);
        out.flush();
        return r.lost() == 0 && r.duplicates() == 0 ? 0 : 1;
    }
}
