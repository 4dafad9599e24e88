package io.pabee.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pabee.adaptive.PatienceProfile;
import io.pabee.bert.TrainingModels;
import io.pabee.finetune.FineTuneOptions;
import io.pabee.finetune.FineTuner;
import io.pabee.finetune.TaskSpec;
import io.pabee.finetune.TrainingListener;
import io.pabee.glue.GlueExample;
import io.pabee.heads.HeadSet;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunedExportTest {
    @TempDir
    static Path tmp;
    static TunedExport.Result result;

    static final TaskSpec TASK = TaskSpec.user("tiny", List.of("negative", "positive"));

    @BeforeAll
    static void trainAndExport() throws Exception {
        List<GlueExample> data = new ArrayList<>();
        String[] pos = {"a wonderful film", "great fun", "moving and warm", "brilliant acting"};
        String[] neg = {"a boring mess", "dull", "a waste of time", "ugly and pointless"};
        for (int i = 0; i < pos.length; i++) {
            data.add(new GlueExample("p" + i, pos[i], null, 1, Float.NaN));
            data.add(new GlueExample("n" + i, neg[i], null, 0, Float.NaN));
        }
        FineTuneOptions o = new FineTuneOptions(1, 2e-3f, 4, 32, 4, 8f, false, 3, 0, 0.1f, 0.01f, 0.1f, 1f, 100);
        try (FineTuner t = new FineTuner(TrainingModels.base(), TASK, data, data, o, tmp.resolve("run"))) {
            t.train(TrainingListener.NONE);
            result = TunedExport.finish(t, tmp.resolve("ship"), tmp.resolve("prepared/base-tiny"), msg -> { });
        }
    }

    @Test
    void exportedStagesEqualTheMonolithicModelAndTheDjlModel() throws Exception {
        assertThat(result.exported().stagesVsMonolithic()).isLessThanOrEqualTo(1e-5);
        assertThat(result.exported().stagesVsDjl()).isLessThanOrEqualTo(StageExporter.DJL_TOLERANCE);
        ModelDirectory dir = ModelDirectory.open(tmp.resolve("prepared/base-tiny"));
        assertThat(dir.manifest().tunedFor).isEqualTo("tiny");
        assertThat(dir.manifest().heads).containsOnlyKeys("tiny"); // the frozen encoder's heads do not apply
        HeadSet heads = HeadSet.read(dir.heads("tiny"));
        assertThat(heads.labels()).containsExactly("negative", "positive");
        assertThat(heads.devMetrics()).hasSize(12);
        // the weights did change: a tuned stage is not the base stage
        assertThat(dir.manifest().sha256.get("stage-05.onnx"))
                .isNotEqualTo(TrainingModels.base().manifest().sha256.get("stage-05.onnx"));
        assertThat(Files.list(tmp.resolve("prepared")).map(p -> p.getFileName().toString()).toList())
                .containsExactly("base-tiny");
    }

    @Test
    void mergingTheShippedAdaptersReproducesTheExportedModel() throws Exception {
        assertThat(Files.size(result.shipped().resolve(TunedAdapters.ADAPTERS))).isLessThan(5_000_000);
        Path again = tmp.resolve("merged/base-tiny");
        StageExporter.Result r = TunedAdapters.prepare(TrainingModels.base(), result.shipped(), again, msg -> { });
        assertThat(r.stagesVsMonolithic()).isLessThanOrEqualTo(1e-5);
        Manifest a = Manifest.read(tmp.resolve("prepared/base-tiny"));
        Manifest b = Manifest.read(again);
        for (String stage : a.stages) {
            assertThat(b.sha256.get(stage)).as(stage).isEqualTo(a.sha256.get(stage));
        }
    }

    @Test
    void refusesTamperedAdaptersAndAdaptersOfAnotherBaseLeavingNothingBehind() throws Exception {
        Path bad = tmp.resolve("tampered");
        copy(result.shipped(), bad);
        byte[] bytes = Files.readAllBytes(bad.resolve(TunedAdapters.ADAPTERS));
        bytes[bytes.length - 3] ^= 0x55;
        Files.write(bad.resolve(TunedAdapters.ADAPTERS), bytes);
        Path target = tmp.resolve("refused/base-tiny");
        assertThatThrownBy(() -> TunedAdapters.prepare(TrainingModels.base(), bad, target, msg -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match its sha256");

        Path other = tmp.resolve("other-base");
        copy(result.shipped(), other);
        ObjectMapper json = new ObjectMapper();
        ObjectNode d = (ObjectNode) json.readTree(other.resolve(TunedAdapters.DESCRIPTOR).toFile());
        d.put("base", "all-minilm-l6-v2");
        json.writeValue(other.resolve(TunedAdapters.DESCRIPTOR).toFile(), d);
        assertThatThrownBy(() -> TunedAdapters.prepare(TrainingModels.base(), other, target, msg -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("made for base model all-minilm-l6-v2");
        assertThat(target.getParent()).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.list(p).toList()).isEmpty());
    }

    @Test
    void replacedHeadsAreWhatTheMergedModelServesAndHeadsOfAnotherTaskAreRefused() throws Exception {
        Path set = tmp.resolve("refit");
        copy(result.shipped(), set);
        HeadSet joint = HeadSet.read(set.resolve(TunedAdapters.HEADS));
        List<io.pabee.heads.LinearHead> flipped = new ArrayList<>();
        for (io.pabee.heads.LinearHead h : joint.heads()) {
            flipped.add(new io.pabee.heads.LinearHead(new float[][] {h.weights()[1], h.weights()[0]},
                    new float[] {h.bias()[1], h.bias()[0]}, false));
        }
        HeadSet refit = new HeadSet("tiny", joint.problemType(), joint.labels(), joint.hidden(), flipped, List.of(), java.util.Map.of());
        PatienceProfile ofJoint = new PatienceProfile("tiny", "dev", "accuracy", 8, 12, "v", "a test",
                List.of(new PatienceProfile.Row(0, 0.5, 12)));
        ofJoint.write(TunedAdapters.profile(set, "tiny"));

        TunedAdapters.replaceHeads(set, refit, "refit in a test");

        assertThat(TunedAdapters.descriptor(set).training).containsEntry("heads", "refit in a test");
        // the profile measured the joint heads: it goes with them
        assertThat(TunedAdapters.profile(set, "tiny")).doesNotExist();
        Path merged = tmp.resolve("merged-refit/base-tiny");
        TunedAdapters.prepare(TrainingModels.base(), set, merged, msg -> { });
        HeadSet served = HeadSet.read(ModelDirectory.open(merged).heads("tiny"));
        assertThat(PatienceProfile.read(merged, "tiny")).isEmpty();
        assertThat(served.heads().get(3).weights()[0]).containsExactly(joint.heads().get(3).weights()[1]);
        HeadSet other = new HeadSet("other", joint.problemType(), joint.labels(), joint.hidden(), flipped, List.of(), java.util.Map.of());
        assertThatThrownBy(() -> TunedAdapters.replaceHeads(set, other, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot replace the tiny heads");
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
