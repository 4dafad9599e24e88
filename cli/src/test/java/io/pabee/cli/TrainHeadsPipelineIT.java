package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.broker.EmbeddedBroker;
import io.pabee.glue.GlueExample;
import io.pabee.labeled.LabeledFileReader;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Heads fitted on the user's own file, served by name by the router and a worker on a real broker. */
class TrainHeadsPipelineIT {
    private static final List<String> LABELS = List.of("food", "sport", "weather");

    @Test
    void theWorkersAnswerTheUsersTaskWithItsLabelStrings(@TempDir Path tmp) throws Exception {
        Path model = TrainHeadsCommandTest.copyOf(TrainHeadsCommandTest.frozenModel(), tmp.resolve("model"));
        TrainHeadsCommandTest.writeTopics(tmp);
        String previousRoot = System.getProperty("pabee.root");
        System.setProperty("pabee.root", tmp.resolve("root").toString()); // feature caches out of the checkout
        StringWriter err = new StringWriter();
        int rc;
        try {
            CommandLine cl = Pabee.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            rc = cl.execute("models", "train-heads", "--model-dir", model.toString(), "--max-length", "32",
                    "--train", tmp.resolve("train.tsv").toString(), "--dev", tmp.resolve("dev.jsonl").toString(),
                    "--task-name", "topics");
        } finally {
            if (previousRoot == null) {
                System.clearProperty("pabee.root");
            } else {
                System.setProperty("pabee.root", previousRoot);
            }
        }
        assertThat(rc).as(err.toString()).isZero();

        List<GlueExample> dev = LabeledFileReader.read(tmp.resolve("dev.jsonl"), LABELS);
        // K = 2 and patience 0 (full depth): every record leaves the router as a continuation and a worker answers it
        LocalPipeline.Settings s = new LocalPipeline.Settings(model, "topics", 2, 0, 1, "cpu", 1, 32, "fp32");
        try (EmbeddedBroker kafka = LocalBroker.embedded();
             LocalPipeline pipeline = new LocalPipeline(kafka, s, "uh-", "uh-")) {
            LocalPipeline.Run run = pipeline.run(TextEvents.items("uh-", dev), c -> { }, d -> { });
            assertThat(run.dead()).isEmpty();
            assertThat(run.results()).hasSize(dev.size());
            int correct = 0;
            for (GlueExample e : dev) {
                Classification c = run.results().get("uh-" + e.id());
                assertThat(c.getExitedAt()).isEqualTo(ExitSite.WORKER);
                assertThat(c.getExitLayer()).isEqualTo(12);
                assertThat(c.getLabel()).isIn(LABELS);
                assertThat(c.getLabel()).isEqualTo(LABELS.get(c.getLabelIndex()));
                correct += c.getLabel().equals(LABELS.get(e.label())) ? 1 : 0;
            }
            // three easy topics: well above chance (1/3)
            assertThat(correct).isGreaterThan(dev.size() / 2);
        }
    }
}
