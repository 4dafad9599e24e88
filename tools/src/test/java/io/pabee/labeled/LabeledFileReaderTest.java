package io.pabee.labeled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledFileReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsTsvWithPairsAndIndexesLabelsInSortedOrder() throws Exception {
        Path f = Files.writeString(tmp.resolve("train.tsv"),
                "label\ttext\ttext_pair\nspam\tbuy now\tlimited offer\nham\tsee you at 5\t\nurgent\tserver down\tcall me\n");
        LabeledFileReader.Labeled l = LabeledFileReader.readTrain(f);
        assertThat(l.labels()).containsExactly("ham", "spam", "urgent");
        assertThat(l.examples()).extracting(GlueExample::label).containsExactly(1, 0, 2);
        assertThat(l.examples().get(0).textPair()).isEqualTo("limited offer");
        assertThat(l.examples().get(1).textPair()).isNull();
    }

    @Test
    void readsJsonLinesAgainstTheTrainingLabels() throws Exception {
        Path f = Files.writeString(tmp.resolve("dev.jsonl"),
                "{\"text\": \"a\", \"label\": \"spam\"}\n\n{\"text\": \"b\", \"text_pair\": \"c\", \"label\": \"ham\"}\n");
        List<GlueExample> dev = LabeledFileReader.read(f, List.of("ham", "spam"));
        assertThat(dev).extracting(GlueExample::label).containsExactly(1, 0);
        assertThat(dev.get(1).textPair()).isEqualTo("c");
    }

    @Test
    void namesFileAndLineOfEveryProblem() throws Exception {
        Path noHeader = Files.writeString(tmp.resolve("a.tsv"), "sentence\tlabel\nx\t1\n");
        assertThatThrownBy(() -> LabeledFileReader.readTrain(noHeader)).isInstanceOf(GlueFormatException.class)
                .hasMessageContaining("a.tsv:1").hasMessageContaining("text and label");
        Path ragged = Files.writeString(tmp.resolve("b.tsv"), "text\tlabel\nx\t1\ty\n");
        assertThatThrownBy(() -> LabeledFileReader.readTrain(ragged)).hasMessageContaining("b.tsv:2");
        Path oneLabel = Files.writeString(tmp.resolve("c.tsv"), "text\tlabel\nx\t1\ny\t1\n");
        assertThatThrownBy(() -> LabeledFileReader.readTrain(oneLabel)).hasMessageContaining("two distinct labels");
        Path unknown = Files.writeString(tmp.resolve("d.jsonl"), "{\"text\": \"a\", \"label\": \"eggs\"}\n");
        assertThatThrownBy(() -> LabeledFileReader.read(unknown, List.of("ham", "spam")))
                .hasMessageContaining("d.jsonl:1").hasMessageContaining("eggs");
        Path broken = Files.writeString(tmp.resolve("e.jsonl"), "{\"text\": \"a\", \"label\": \"x\"}\n{oops\n");
        assertThatThrownBy(() -> LabeledFileReader.read(broken, List.of("x"))).hasMessageContaining("e.jsonl:2");
        assertThatThrownBy(() -> LabeledFileReader.readTrain(tmp.resolve("missing.tsv"))).hasMessageContaining("no such file");
    }
}
