package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.prepare.BaseModel;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.ModelFileException;
import io.pabee.prepare.ModelPreparer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedModelsTest {
    private static final BaseModel BGE = BaseModel.parse("bge-small-en-v15");

    @TempDir
    Path home;
    private String saved;

    @BeforeEach
    void ownHome() {
        saved = System.getProperty("pabee.home");
        System.setProperty("pabee.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (saved == null) {
            System.clearProperty("pabee.home");
        } else {
            System.setProperty("pabee.home", saved);
        }
    }

    @Test
    void aTaskWithShippedAdaptersDefaultsToItsTunedModelOthersToTheFrozenEncoder() {
        assertThat(PreparedModels.defaultDir(BGE, "SST-2")).isEqualTo(home.resolve("bge-small-en-v15-sst2"));
        assertThat(PreparedModels.defaultDir(BGE, "RTE")).isEqualTo(home.resolve("bge-small-en-v15"));
    }

    @Test
    void theDefaultTunedModelIsPreparedOnFirstUseFromTheShippedAdapters() throws Exception {
        // the stock stages it merges into, without cutting them from the Maven artifact again
        Files.createSymbolicLink(home.resolve("bge-small-en-v15"), ModelPreparer.ensurePrepared(BGE,
                Path.of(saved != null ? saved : "../models/prepared", "bge-small-en-v15"), msg -> { }).path().toAbsolutePath());
        Path tuned = PreparedModels.defaultDir(BGE, "SST-2");

        ModelDirectory dir = PreparedModels.ensure(tuned, msg -> { });

        assertThat(dir.path()).isEqualTo(tuned);
        assertThat(dir.manifest().tunedFor).isEqualTo("SST-2");
        assertThat(io.pabee.heads.HeadSet.read(dir.heads("SST-2")).numLayers()).isEqualTo(12);
        // with the shipped patience profile, measured on this very model (stages and heads)
        PatienceProfile profile = PatienceProfile.read(tuned, "SST-2").orElseThrow();
        assertThat(profile.modelVersion()).isEqualTo(dir.version("SST-2"));
        assertThat(profile.split()).isEqualTo("dev");
        // a second use opens what the first wrote
        assertThat(PreparedModels.ensure(tuned, msg -> { throw new AssertionError("prepared again: " + msg); }).path())
                .isEqualTo(tuned);
    }

    @Test
    void aMissingDirectoryThatIsNoDefaultIsAnErrorNamingIt() {
        Path elsewhere = home.resolve("mine/bge-small-en-v15-sst2");
        assertThatThrownBy(() -> PreparedModels.ensure(elsewhere, msg -> { }))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining(elsewhere.toString());
        assertThat(elsewhere).doesNotExist();
    }
}
