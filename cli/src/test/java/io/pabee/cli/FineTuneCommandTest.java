package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitPolicies;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.Labeled;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.PabeeModel;
import io.pabee.stage.StagedEncoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code models fine-tune} on the user's own three-class data, {@code prepare --tuned}, and their bad inputs. */
class FineTuneCommandTest {
    @TempDir
    static Path tmp;
    static Path base;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void baseModel() throws Exception {
        base = ModelPreparer.ensurePrepared(BaseModel.DEFAULT, ModelDirectory.home().resolve(BaseModel.DEFAULT.id()), m -> { })
                .path();
        Files.writeString(tmp.resolve("train.tsv"), """
                text\tlabel
                my card was charged twice\tbilling
                refund the extra fee please\tbilling
                why is my invoice so high\tbilling
                the app crashes when i log in\tbug
                the page shows an error 500\tbug
                the button does nothing\tbug
                you folks are wonderful\tpraise
                great support , thank you\tpraise
                love the new design\tpraise
                """);
        Files.writeString(tmp.resolve("dev.jsonl"), """
                {"text": "i was billed two times", "label": "billing"}
                {"text": "it crashes on start", "label": "bug"}
                {"text": "thanks , you are great", "label": "praise"}
                """);
    }

    private int run(String... args) {
        CommandLine cl = Pabee.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private String[] fineTune(String run, String model, String train, long seed) {
        return new String[] {"models", "fine-tune", "--model-dir", base.toString(), "--train", train,
                "--dev", tmp.resolve("dev.jsonl").toString(), "--task-name", "tickets", "--epochs", "1",
                "--batch-size", "4", "--max-length", "32", "--lora-rank", "4", "--lr", "2e-3", "--seed", Long.toString(seed),
                "--out", tmp.resolve(run).toString(), "--export-dir", tmp.resolve(model).toString()};
    }

    @Test
    void fineTunesAThreeClassUserTaskAndServesItsLabelsFromTheExportedModel() throws Exception {
        assertThat(run(fineTune("run", "tuned-tickets", tmp.resolve("train.tsv").toString(), 42))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("exported").contains("layer 12 dev accuracy");
        ModelDirectory dir = ModelDirectory.open(tmp.resolve("tuned-tickets"));
        assertThat(dir.manifest().tunedFor).isEqualTo("tickets");
        HeadSet heads = HeadSet.read(dir.heads("tickets"));
        assertThat(heads.labels()).containsExactly("billing", "bug", "praise");
        assertThat(heads.heads().get(11).outputs()).isEqualTo(3);
        // what the router and the workers do with it: classify by task name, answer with the user's label strings
        try (PabeeModel m = new PabeeModel(dir, "tickets", StagedEncoder.Options.cpu(), 32, 8)) {
            List<Labeled> c = m.classify(List.of(new PabeeModel.Input("k", "my card was charged twice", null)),
                    ExitPolicies.parse("patience", "2"), false);
            assertThat(c).hasSize(1);
            assertThat(c.get(0).label()).isIn("billing", "bug", "praise");
        }

        // the shipped form merges into the base stages to the same files
        assertThat(run("models", "prepare", "--tuned", "tickets", "--adapters", tmp.resolve("run/tuned").toString(),
                "--base-dir", base.toString(), "--out", tmp.resolve("merged").toString())).as(err.toString()).isZero();
        ModelDirectory merged = ModelDirectory.open(tmp.resolve("merged"));
        assertThat(merged.manifest().sha256.get("stage-12.onnx")).isEqualTo(dir.manifest().sha256.get("stage-12.onnx"));
    }

    @Test
    void aGlueTaskWithoutTrainDataOrWithAnUnparsableFileIsRefusedInOneLine() throws Exception {
        Path glue = tmp.resolve("glue");
        Files.createDirectories(glue.resolve("SST-2"));
        assertThat(run("models", "fine-tune", "--task", "SST-2", "--glue-dir", glue.toString(), "--model-dir", base.toString(),
                "--out", tmp.resolve("g1").toString())).isEqualTo(2);
        assertThat(err.toString().strip()).contains("SST-2").contains("train.tsv").doesNotContain("\n");
        Files.writeString(glue.resolve("SST-2/train.tsv"), "words\tstars\nnice\tfive\n");
        err.getBuffer().setLength(0);
        assertThat(run("models", "fine-tune", "--task", "SST-2", "--glue-dir", glue.toString(), "--model-dir", base.toString(),
                "--out", tmp.resolve("g2").toString())).isEqualTo(2);
        assertThat(err.toString().strip()).contains("train.tsv").doesNotContain("\n");
        assertThat(tmp.resolve("g1")).doesNotExist();
        assertThat(tmp.resolve("g2")).doesNotExist();
    }

    @Test
    void badInputsEndInOneLineWithExitCode2AndWriteNoModel() throws Exception {
        Path garbage = Files.writeString(tmp.resolve("garbage.jsonl"), "{\"text\": \"fine\", \"label\": \"a\"}\nnot json at all\n");
        assertThat(run(fineTune("r1", "m1", garbage.toString(), 1))).isEqualTo(2);
        assertThat(err.toString().strip()).contains("garbage.jsonl:2").doesNotContain("\n");
        assertThat(tmp.resolve("m1")).doesNotExist();

        Path empty = Files.writeString(tmp.resolve("empty.tsv"), "text\tlabel\n");
        err.getBuffer().setLength(0);
        assertThat(run(fineTune("r2", "m2", empty.toString(), 1))).isEqualTo(2);
        assertThat(err.toString().strip()).contains("empty.tsv").contains("no examples").doesNotContain("\n");

        err.getBuffer().setLength(0);
        String[] first = fineTune("r3", "m3", tmp.resolve("train.tsv").toString(), 1);
        String[] stop = java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.stream.Stream.of("--max-steps", "1"))
                .toArray(String[]::new);
        // a run stopped early (its export still happens), then a run with another seed on the same folder
        assertThat(run(stop)).as(err.toString()).isZero();
        assertThat(run(fineTune("r3", "m4", tmp.resolve("train.tsv").toString(), 2))).isEqualTo(2);
        assertThat(err.toString().strip()).contains("belongs to another run").doesNotContain("\n");
        assertThat(tmp.resolve("m4")).doesNotExist();

        Path tampered = tmp.resolve("tampered");
        Files.createDirectories(tampered);
        try (var files = Files.list(tmp.resolve("r3/tuned"))) {
            for (Path f : files.toList()) {
                Files.copy(f, tampered.resolve(f.getFileName()));
            }
        }
        Files.writeString(tampered.resolve("heads.json"), Files.readString(tampered.resolve("heads.json")).replace("tickets", "tockets"));
        err.getBuffer().setLength(0);
        assertThat(run("models", "prepare", "--tuned", "tickets", "--adapters", tampered.toString(), "--base-dir", base.toString(),
                "--out", tmp.resolve("m5").toString())).isEqualTo(2);
        assertThat(err.toString().strip()).contains("heads.json").contains("sha256").doesNotContain("\n");
        assertThat(tmp.resolve("m5")).doesNotExist();
    }
}
