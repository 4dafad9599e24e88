package io.pabee.glue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlueReaderTest {

    private final Path fixture = GlueTestDirs.fixture();

    @TempDir
    Path tmp;

    @Test
    void shouldTrimSst2TrailingSpacesAndKeepQuotes() {
        List<GlueExample> dev = GlueReader.read(fixture, GlueTask.SST_2, Split.DEV);

        assertThat(dev).hasSize(4);
        assertThat(dev.get(0)).isEqualTo(new GlueExample("SST-2/dev/0",
                "a warm and often touching little story .", null, 1, Float.NaN));
        assertThat(dev).extracting(GlueExample::text).allSatisfy(t -> assertThat(t).isEqualTo(t.strip()));
        assertThat(dev).extracting(GlueExample::label).containsExactly(1, 0, 1, 0);
        assertThat(dev.get(2).text()).isEqualTo("the \" quote never closes , yet the row ends here");
        assertThat(dev).allSatisfy(e -> {
            assertThat(e.textPair()).isNull();
            assertThat(e.score()).isNaN();
        });
    }

    @Test
    void shouldReadLabeledTestSplit() {
        List<GlueExample> test = GlueReader.read(fixture, GlueTask.SST_2, Split.TEST);

        assertThat(test).extracting(GlueExample::id).containsExactly("SST-2/test/0", "SST-2/test/1");
        assertThat(test).extracting(GlueExample::label).containsExactly(0, 1);
    }

    @Test
    void shouldStripMrpcBomAndNotTreatQuotesAsCsvQuoting() {
        List<GlueExample> dev = GlueReader.read(fixture, GlueTask.MRPC, Split.DEV);

        // a quote-aware parser would merge the rows after the unbalanced '"' into one
        assertThat(dev).hasSize(3);
        assertThat(dev).extracting(GlueExample::label).containsExactly(1, 0, 1);
        assertThat(dev.get(0).text()).startsWith("She said the small bakery");
        assertThat(dev.get(0).textPair())
                .isEqualTo("\"The small bakery unit does not match our plan for growth.");
        assertThat(dev.get(1).textPair()).contains("\"100 percent behind George Bush\"");
        assertThat(dev.get(2).text()).isEqualTo("A plain sentence, with a comma.");
        assertThat(dev.get(2).id()).isEqualTo("MRPC/dev/2");
    }

    @Test
    void shouldMapRteLabelNamesToIndices() {
        List<GlueExample> dev = GlueReader.read(fixture, GlueTask.RTE, Split.DEV);

        assertThat(dev).hasSize(3);
        assertThat(dev).extracting(GlueExample::label).containsExactly(0, 1, 1);
        assertThat(dev.get(1).text()).isEqualTo("The \"Big Apple is New York.");
        assertThat(dev.get(1).textPair()).isEqualTo("New York is called \"the Big Apple\".");
    }

    @Test
    void shouldReadCoLaWithoutHeaderKeepingFirstRow() {
        List<GlueExample> dev = GlueReader.read(fixture, GlueTask.COLA, Split.DEV);

        assertThat(dev).hasSize(3);
        assertThat(dev.get(0)).isEqualTo(new GlueExample("CoLA/dev/0",
                "The gardeners carried the ladder past the fence.", null, 1, Float.NaN));
        assertThat(dev).extracting(GlueExample::label).containsExactly(1, 0, 1);
        assertThat(dev.get(1).text()).isEqualTo("The more you eat \" the less you want.");
    }

    @Test
    void shouldReadStsbScoresAndPairs() {
        List<GlueExample> dev = GlueReader.read(fixture, GlueTask.STS_B, Split.DEV);

        assertThat(dev).hasSize(3);
        assertThat(dev).extracting(GlueExample::score).containsExactly(5.0f, 0.0f, 3.8f);
        assertThat(dev).extracting(GlueExample::label).containsOnly(-1);
        assertThat(dev.get(0).text()).isEqualTo("A woman in a red coat is singing.");
        assertThat(dev.get(0).textPair()).isEqualTo("A woman wearing a red coat is singing.");
        assertThat(dev.get(1).text()).isEqualTo("\"Obama says\" something.");
        assertThat(dev.get(2).isRegression()).isTrue();
    }

    @Test
    void shouldRejectSplitTheTaskDoesNotHave() {
        assertThatThrownBy(() -> GlueReader.read(fixture, GlueTask.RTE, Split.TEST))
                .isInstanceOf(GlueFormatException.class)
                .hasMessageContaining("test.tsv")
                .hasMessageContaining("RTE has no labeled test split (available: train, dev)");
    }

    @Test
    void shouldReportMissingFile() {
        // MRPC has a test split, but the fixture directory does not contain it
        assertThatThrownBy(() -> GlueReader.read(fixture, GlueTask.MRPC, Split.TEST))
                .isInstanceOf(GlueFormatException.class)
                .hasMessageEndingWith("test.tsv: file does not exist");
    }

    @Test
    void shouldReportMissingDirectories() {
        assertThatThrownBy(() -> GlueReader.read(tmp.resolve("nope"), GlueTask.SST_2, Split.DEV))
                .hasMessageContaining("nope: GLUE data directory does not exist");
        assertThatThrownBy(() -> GlueReader.read(tmp, GlueTask.SST_2, Split.DEV))
                .hasMessageContaining("SST-2: task directory does not exist");
    }

    @Test
    void shouldReportWrongColumnCountWithLineNumber() throws IOException {
        Path dir = write(GlueTask.SST_2, "dev.tsv", "sentence\tlabel\ngood .\t1\nbad \" , 0\n");

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.SST_2, Split.DEV))
                .isInstanceOf(GlueFormatException.class)
                .hasMessage(dir.resolve("SST-2/dev.tsv") + ":3: expected 2 tab-separated columns but found 1")
                .satisfies(e -> assertThat(((GlueFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void shouldReportUnknownNumericLabel() throws IOException {
        Path dir = write(GlueTask.COLA, "dev.tsv", "gj04\t1\t\tFine.\ngj04\t2\t\tOdd.\n");

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.COLA, Split.DEV))
                .hasMessageEndingWith("dev.tsv:2: unknown label '2' (valid: 0..1)");
    }

    @Test
    void shouldReportUnknownNamedLabel() throws IOException {
        Path dir = write(GlueTask.RTE, "train.tsv",
                "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tcontradiction\n");

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.RTE, Split.TRAIN))
                .hasMessageEndingWith("train.tsv:2: unknown label 'contradiction' (valid: not_entailment, entailment)");
    }

    @Test
    void shouldRejectCoLaFileWithHeader() throws IOException {
        Path dir = write(GlueTask.COLA, "train.tsv", "source\tlabel\tauthor_mark\tsentence\ngj04\t1\t\tFine.\n");

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.COLA, Split.TRAIN))
                .hasMessageEndingWith("train.tsv:1: unknown label 'label' (valid: 0..1)");
    }

    @Test
    void shouldReportWrongHeader() throws IOException {
        Path dir = write(GlueTask.SST_2, "dev.tsv", "label\tsentence\n1\tgood .\n");

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.SST_2, Split.DEV))
                .hasMessageEndingWith("dev.tsv:1: expected header [sentence, label] but found [label, sentence]");
    }

    @Test
    void shouldReportBadOrOutOfRangeScore() throws IOException {
        String header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
        String row = "0\tg\tf\t2012\t0000\tnone\tnone\tA.\tB.\t";
        Path dir = write(GlueTask.STS_B, "dev.tsv", header + row + "5.1\n");
        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.STS_B, Split.DEV))
                .hasMessageEndingWith("dev.tsv:2: score 5.1 outside [0.0, 5.0]");

        write(GlueTask.STS_B, "dev.tsv", header + row + "3.0\n" + row + "high\n");
        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.STS_B, Split.DEV))
                .hasMessageEndingWith("dev.tsv:3: score 'high' is not a number");
    }

    @Test
    void shouldRejectEmptySentenceAndEmptyFile() throws IOException {
        Path dir = write(GlueTask.SST_2, "dev.tsv", "sentence\tlabel\n   \t1\n");
        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.SST_2, Split.DEV))
                .hasMessageEndingWith("dev.tsv:2: empty sentence in column 1");

        write(GlueTask.SST_2, "dev.tsv", "sentence\tlabel\n");
        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.SST_2, Split.DEV))
                .hasMessageEndingWith("dev.tsv: no data rows");
    }

    @Test
    void shouldRejectInvalidUtf8() throws IOException {
        Path dir = write(GlueTask.SST_2, "dev.tsv", "sentence\tlabel\n");
        Files.write(dir.resolve("SST-2/dev.tsv"), new byte[] {'a', (byte) 0xC3, '\t', '1', '\n'},
                java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> GlueReader.read(dir, GlueTask.SST_2, Split.DEV))
                .isInstanceOf(GlueFormatException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void shouldAcceptFileWithoutFinalNewline() throws IOException {
        Path dir = write(GlueTask.SST_2, "dev.tsv", "sentence\tlabel\ngood .\t1\nbad .\t0");

        assertThat(GlueReader.read(dir, GlueTask.SST_2, Split.DEV)).extracting(GlueExample::label)
                .containsExactly(1, 0);
    }

    @Test
    void shouldResolveDefaultGlueDirFromSystemProperty() {
        String old = System.getProperty("glue.dir");
        try {
            System.setProperty("glue.dir", "/some/where");
            assertThat(GlueReader.defaultGlueDir()).isEqualTo(Path.of("/some/where"));
            // Maven passes an undefined property through literally; that must not be used as a path
            System.setProperty("glue.dir", "${glue.dir}");
            assertThat(GlueReader.defaultGlueDir()).isNotEqualTo(Path.of("${glue.dir}"));
        } finally {
            if (old == null) {
                System.clearProperty("glue.dir");
            } else {
                System.setProperty("glue.dir", old);
            }
        }
    }

    private Path write(GlueTask task, String file, String content) throws IOException {
        Path dir = tmp.resolve(task.dirName());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), content, StandardCharsets.UTF_8);
        return tmp;
    }
}
