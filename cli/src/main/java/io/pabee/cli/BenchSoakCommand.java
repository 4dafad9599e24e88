package io.pabee.cli;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
import io.pabee.broker.EmbeddedBroker;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pabee bench soak}: produce above capacity for M minutes, then drain; backlog, heap, RSS, lost and duplicated ids. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        header = "Sustained load above capacity through broker, router and workers: backlog grows then drains, nothing lost.")
final class BenchSoakCommand extends BenchBase implements Callable<Integer> {
    @Option(names = "--minutes", defaultValue = "1", description = "Minutes of production (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "150", description = "Records per second produced (default ${DEFAULT-VALUE}; capacity here is ~100).")
    double rate;

    @Option(names = "--workers", defaultValue = "1")
    int workers;

    @Override
    public Integer call() throws Exception {
        model.validate();
        PrintWriter out = out();
        PrintWriter err = err();
        ModelDirectory dir = model.open(GlueTask.SST_2.dirName(), msg -> { });
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
        output.print(out, List.of(r.row()), o -> o.printf("produced %d, answered %d, lost %d, duplicates %d; max backlog %d, "
                        + "drained %.1f s after production stopped; max heap %d MB, max RSS %d MB%n", r.produced(), r.answered(),
                r.lost(), r.duplicates(), r.maxBacklog(), r.drainSeconds(), r.maxHeapBytes() >> 20, r.maxRssBytes() >> 20));
        return r.lost() == 0 && r.duplicates() == 0 ? 0 : 1;
    }
}
