package io.pabee.headtrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.heads.HeadSet;
import io.pabee.stage.Manifest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shipped heads bring their shipped patience profile; heads installed later drop the profile of the old ones. */
class HeadsInstallerTest {
    private static final String BASE = "bge-small-en-v15";

    @TempDir
    Path model;

    @BeforeEach
    void manifestOfTheBase() throws Exception {
        Manifest m = new Manifest();
        m.base = BASE;
        m.numLayers = 12;
        m.hidden = 384;
        m.write(model);
    }

    @Test
    void shouldInstallTheShippedProfileWithTheShippedHeads() throws Exception {
        assertThat(HeadsInstaller.installShipped(model, BASE, List.of("SST-2", "RTE"))).containsExactly("SST-2", "RTE");

        PatienceProfile sst2 = PatienceProfile.read(model, "SST-2").orElseThrow();
        assertThat(sst2.task()).isEqualTo("SST-2");
        assertThat(sst2.split()).isEqualTo("dev");
        assertThat(sst2.numLayers()).isEqualTo(12);
        assertThat(sst2.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        // the profile names the heads it measured: model version <base>@<last stage>/<heads sha256 prefix>
        assertThat(sst2.modelVersion()).endsWith("/" + Manifest.read(model).sha256.get("heads/SST-2.json").substring(0, 12));
        try (InputStream shipped = getClass().getClassLoader().getResourceAsStream("heads/" + BASE + "/RTE.patience.json")) {
            assertThat(Files.readAllBytes(PatienceProfile.file(model, "RTE"))).isEqualTo(shipped.readAllBytes());
        }
    }

    @Test
    void shouldDropTheProfileOfHeadsThatAreReplaced() throws Exception {
        HeadsInstaller.installShipped(model, BASE, List.of("SST-2", "RTE"));
        HeadSet sst2 = HeadSet.read(model.resolve("heads/SST-2.json"));

        HeadsInstaller.install(model, sst2);

        assertThat(PatienceProfile.read(model, "SST-2")).isEmpty();
        assertThat(PatienceProfile.read(model, "RTE")).isPresent();
    }
}
