package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.export.TunedAdapters;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models profile} writes the per-patience dev table beside the task's heads (and into the heads' shipped
 * folder with --export); {@code models prepare --tuned} installs an adapter set's profile; refusals are one line.
 */
class ProfileCommandTest {
    @TempDir
    static Path tmp;
    static Path frozen;
    static String previousRoot;

    @BeforeAll
    static void rootOutsideTheCheckout() throws Exception {
        frozen = TrainHeadsCommandTest.frozenModel();
        // feature caches go under <root>/models/cache: keep them out of the checkout
        previousRoot = System.getProperty("pabee.root");
        System.setProperty("pabee.root", tmp.resolve("root").toString());
    }

    @AfterAll
    static void restoreRoot() {
        if (previousRoot == null) {
            System.clearProperty("pabee.root");
        } else {
            System.setProperty("pabee.root", previousRoot);
        }
    }

    /** A private copy of the frozen encoder, without the profiles it may ship with. */
    private static Path modelCopy() throws Exception {
        Path copy = TrainHeadsCommandTest.copyOf(frozen, tmp.resolve("model-" + System.nanoTime()));
        for (String task : List.of("CoLA", "MRPC", "RTE", "SST-2", "STS-B")) {
            Files.deleteIfExists(PatienceProfile.file(copy, task));
        }
        return copy;
    }

    private static void assertOneLineError(CliRun run, String message) {
        assertThat(run.rc()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).contains(message).doesNotContain("\n").doesNotContain("at io.");
    }

    @Test
    void refusesTheHeldOutTestSplitAndTrainInOneLine() {
        assertOneLineError(CliRun.of("models", "profile", "--task", "SST-2", "--split", "test"),
                "--split test is held out");
        assertOneLineError(CliRun.of("models", "profile", "--task", "SST-2", "--split", "train"),
                "--split train: the heads were fitted on train");
        assertOneLineError(CliRun.of("models", "profile", "--task", "SST-2", "--regression-threshold", "0.3"),
                "--regression-threshold applies to regression tasks");
    }

    @Test
    void refusesAnExportFolderWithoutTheModelsHeadsInOneLine() throws Exception {
        Path model = modelCopy();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertOneLineError(CliRun.of("models", "profile", "--task", "RTE", "--model-dir", model.toString(),
                "--export", empty.toString()), "is neither a fine-tuned adapter set");

        Path mrpcSet = tmp.resolve("mrpc-set");
        TunedAdapters.copyShipped("bge-small-en-v15", "mrpc", mrpcSet);
        assertOneLineError(CliRun.of("models", "profile", "--task", "RTE", "--model-dir", model.toString(),
                "--export", mrpcSet.toString()), "holds MRPC adapters, not RTE");

        Path otherHeads = Files.createDirectories(tmp.resolve("other-heads"));
        Files.copy(model.resolve("heads/SST-2.json"), otherHeads.resolve("RTE.json"));
        assertOneLineError(CliRun.of("models", "profile", "--task", "RTE", "--model-dir", model.toString(),
                "--export", otherHeads.toString()), "are not " + otherHeads.resolve("RTE.json"));

        assertThat(PatienceProfile.read(model, "RTE")).isEmpty();
    }

    @Test
    void writesTheProfileBesideTheHeadsAndIntoTheShippedHeadsFolder() throws Exception {
        Path model = modelCopy();
        Path shipped = Files.createDirectories(tmp.resolve("shipped"));
        Files.copy(model.resolve("heads/RTE.json"), shipped.resolve("RTE.json"));

        CliRun run = CliRun.of("models", "profile", "--task", "RTE", "--model-dir", model.toString(),
                "--glue-dir", CliRun.glueDir().toString(), "--export", shipped.toString());

        assertThat(run.rc()).as(run.err()).isZero();
        PatienceProfile p = PatienceProfile.read(model, "RTE").orElseThrow();
        assertThat(Files.readString(shipped.resolve("RTE.patience.json"))).isEqualTo(Files.readString(PatienceProfile.file(model, "RTE")));
        assertThat(p.task()).isEqualTo("RTE");
        assertThat(p.split()).isEqualTo("dev");
        assertThat(p.metric()).isEqualTo("accuracy");
        assertThat(p.records()).isEqualTo(277);
        assertThat(p.numLayers()).isEqualTo(12);
        assertThat(p.modelVersion()).isEqualTo(ModelDirectory.open(model).version("RTE"));
        assertThat(p.source()).isEqualTo("ops/pabee models profile --task RTE --model-dir " + model
                + " --glue-dir " + CliRun.glueDir() + " --export " + shipped);
        assertThat(p.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        // full depth is the layer-12 head, whose dev accuracy train-heads recorded in the manifest
        assertThat(p.row(0).orElseThrow().meanLayers()).isEqualTo(12.0);
        assertThat(p.metric(0)).hasValue(Manifest.read(model).heads.get("RTE").devMetrics.get(11).get("accuracy"));
        // an early exit runs fewer layers, the more so the less patient
        List<Double> means = p.rows().stream().skip(1).map(PatienceProfile.Row::meanLayers).toList();
        assertThat(means).isSorted().allSatisfy(m -> assertThat(m).isBetween(2.0, 12.0));
        assertThat(run.out()).contains("0 (full)").contains("wrote " + PatienceProfile.file(model, "RTE"));
    }

    @Test
    void prepareTunedInstallsTheAdapterSetsProfileAndSaysWhenItMeasuredAnotherModel() throws Exception {
        Path set = tmp.resolve("sst2-set");
        TunedAdapters.copyShipped("bge-small-en-v15", "sst2", set);
        Path profile = TunedAdapters.profile(set, "SST-2");
        PatienceProfile shipped = PatienceProfile.read(profile);
        // as if measured on other stages: still installed (the table is the set's), with a note to re-measure
        PatienceProfile other = new PatienceProfile(shipped.task(), shipped.split(), shipped.metric(), shipped.records(),
                shipped.numLayers(), "bge-small-en-v15@000000000000/000000000000", shipped.source(), shipped.rows());
        other.write(profile);
        Path out = tmp.resolve("prepared/bge-small-en-v15-sst2");

        CliRun run = CliRun.of("models", "prepare", "--tuned", "SST-2", "--adapters", set.toString(),
                "--base-dir", frozen.toString(), "--out", out.toString());

        assertThat(run.rc()).as(run.err()).isZero();
        assertThat(Files.readString(PatienceProfile.file(out, "SST-2"))).isEqualTo(Files.readString(profile));
        assertThat(run.err()).contains("installed the SST-2 patience profile, measured on bge-small-en-v15@000000000000/000000000000")
                .contains("rerun `pabee models profile --task SST-2`");
    }
}
