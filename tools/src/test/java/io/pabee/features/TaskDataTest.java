package io.pabee.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.glue.GlueExample;
import io.pabee.labeled.LabeledFileReader;
import io.pabee.prepare.BaseModel;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.stage.TestModels;
import io.pabee.tokenize.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's labeled file as task data: label names kept, cached features keyed by the file's content. */
class TaskDataTest {
    @TempDir
    Path tmp;

    private static TaskData read(Path file, TextTokenizer tok) {
        LabeledFileReader.Labeled l = LabeledFileReader.readTrain(file);
        return TaskData.ofFile("topics", "train", file, l.examples(), l.labels(), tok);
    }

    @Test
    void shouldEncodeAnEditedFileAgainInsteadOfServingItsStaleCachedFeatures() throws Exception {
        ModelDirectory dir = TestModels.prepared(BaseModel.DEFAULT);
        Path file = tmp.resolve("train.tsv");
        Path cache = tmp.resolve("cache");
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), 16);
             StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu())) {
            Files.writeString(file, "text\tlabel\nthe striker scored\tsport\nbake the bread\tfood\nheavy rain today\tweather\n");
            TaskData first = read(file, tok);
            assertThat(first.labelNames).containsExactly("food", "sport", "weather");
            assertThat(first.labels()).containsExactly(1, 0, 2);
            float[] before = first.features(dir, enc, 16, cache, n -> { }).layer(12).clone();
            Path cached;
            try (var files = Files.list(cache.resolve(dir.manifest().base))) {
                cached = files.filter(f -> f.toString().endsWith(".features")).findFirst().orElseThrow();
            }
            byte[] cachedBytes = Files.readAllBytes(cached);

            // unchanged content: served from the cache, file untouched
            assertThat(read(file, tok).features(dir, enc, 16, cache, n -> { }).layer(12)).containsExactly(before);
            assertThat(Files.readAllBytes(cached)).isEqualTo(cachedBytes);

            // same task, split, labels and row count, other text: encoded again, not the stale features
            Files.writeString(file, "text\tlabel\nthe goalkeeper saved it\tsport\nroast the chicken\tfood\nsnow tonight\tweather\n");
            float[] after = read(file, tok).features(dir, enc, 16, cache, n -> { }).layer(12);
            assertThat(after).hasSameSizeAs(before).isNotEqualTo(before);
            List<GlueExample> edited = LabeledFileReader.readTrain(file).examples();
            LayerFeatures fresh = FeatureExtractor.extract(enc, edited.stream().map(e -> tok.encode(e.text(), null)).toList(), 64, n -> { });
            assertThat(after).containsExactly(fresh.layer(12));
            assertThat(Files.readAllBytes(cached)).isNotEqualTo(cachedBytes);
        }
    }
}
