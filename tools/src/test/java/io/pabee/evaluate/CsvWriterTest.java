package io.pabee.evaluate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CsvWriterTest {

    @Test
    void shouldQuoteOnlyFieldsThatNeedIt() {
        assertThat(CsvWriter.quote("plain")).isEqualTo("plain");
        assertThat(CsvWriter.quote("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvWriter.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvWriter.quote("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvWriter.quote("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(CsvWriter.quote("")).isEmpty();
    }

    @Test
    void shouldWriteRowsWithCrlfAndEmptyNulls() throws IOException {
        StringWriter sw = new StringWriter();
        try (CsvWriter w = new CsvWriter(sw)) {
            w.row("task", "acc", "note").row("SST-2", 0.5, null).row("MRPC", 1, "x, \"y\"");
        }
        assertThat(sw.toString()).isEqualTo(
                "task,acc,note\r\nSST-2,0.5,\r\nMRPC,1,\"x, \"\"y\"\"\"\r\n");
    }

    @Test
    void shouldWriteFile(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("out.csv");
        try (CsvWriter w = CsvWriter.open(f)) {
            w.row(java.util.List.of("a", "b"));
        }
        assertThat(Files.readString(f)).isEqualTo("a,b\r\n");
    }
}
