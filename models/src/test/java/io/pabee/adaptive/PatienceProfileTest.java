package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatienceProfileTest {
    /** A 6-layer model profiled at patience 0 (full depth) and 1..4, rows given out of order. */
    private static final PatienceProfile PROFILE = new PatienceProfile("SST-2", "dev", "accuracy", 872, 6,
            "base@abc/def", "ops/pabee models profile --task SST-2",
            List.of(new PatienceProfile.Row(2, 0.85, 3.5), new PatienceProfile.Row(0, 0.90, 6.0),
                    new PatienceProfile.Row(1, 0.80, 2.4), new PatienceProfile.Row(4, 0.90, 5.2),
                    new PatienceProfile.Row(3, 0.88, 4.4)));

    @Test
    void shouldReadBackWhatItWroteInSnakeCaseBesideTheHeads(@TempDir Path model) throws Exception {
        Path file = PatienceProfile.file(model, "SST-2");
        assertThat(file).isEqualTo(model.resolve("heads/SST-2.patience.json"));

        PROFILE.write(file);

        assertThat(PatienceProfile.read(model, "SST-2")).contains(PROFILE);
        assertThat(Files.readString(file)).contains("\"num_layers\" : 6", "\"model_version\" : \"base@abc/def\"",
                "\"mean_layers\" : 3.5").doesNotContain("numLayers", "meanLayers");
    }

    @Test
    void shouldBeEmptyWhenNoProfileWasMadeForTheTask(@TempDir Path model) {
        PROFILE.write(PatienceProfile.file(model, "SST-2"));

        assertThat(PatienceProfile.read(model, "MRPC")).isEmpty();
    }

    @Test
    void shouldKeepRowsInPatienceOrder() {
        assertThat(PROFILE.rows()).extracting(PatienceProfile.Row::patience).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shouldAnswerAPatienceOfNumLayersMinusOneOrMoreWithTheFullDepthRow() {
        assertThat(PROFILE.meanLayers(3)).hasValue(4.4);
        assertThat(PROFILE.metric(3)).hasValue(0.88);
        for (int p : new int[] {5, 6, 50}) {
            assertThat(PROFILE.row(p)).as("patience %d", p).contains(new PatienceProfile.Row(0, 0.90, 6.0));
        }
        assertThat(PROFILE.row(0).orElseThrow().speedup(6)).isEqualTo(1.0);
        assertThat(PROFILE.row(1).orElseThrow().speedup(6)).isEqualTo(2.5);
    }

    @Test
    void shouldBeEmptyForAPatienceThatWasNotMeasured() {
        PatienceProfile partial = new PatienceProfile("SST-2", "dev", "accuracy", 10, 12, "v", "s",
                List.of(new PatienceProfile.Row(0, 0.9, 12), new PatienceProfile.Row(4, 0.9, 6)));

        assertThat(partial.row(3)).isEmpty();
        assertThat(partial.meanLayers(3)).isEmpty();
        assertThat(partial.metric(3)).isEmpty();
        assertThat(partial.meanLayers(11)).hasValue(12.0);
    }
}
