package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Errors the user can cause end in one line and exit code 2, never a stack trace. */
class CommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Pabee.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void shouldPrintUsageWhenRunBare() {
        assertThat(run()).isZero();
        assertThat(out.toString()).contains("models").contains("bench");
    }

    @Test
    void shouldRejectAnUnknownBaseModelInOneLine() {
        assertThat(run("models", "prepare", "--base", "gpt-9")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("unknown base model 'gpt-9'").doesNotContain("\n").doesNotContain("at io.");
    }

    @Test
    void shouldRejectAMissingModelDirectoryInOneLine(@TempDir Path tmp) {
        assertThat(run("models", "evaluate", "--task", "SST-2", "--model-dir", tmp.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).contains("manifest.json").contains("prepare").doesNotContain("\n");
    }

    @Test
    void shouldRejectAnUnknownTaskInOneLine() {
        assertThat(run("models", "evaluate", "--task", "QNLI")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("QNLI").doesNotContain("\n");
    }

    @Test
    void shouldRejectAnUnknownDevice() {
        assertThat(run("models", "evaluate", "--task", "SST-2", "--device", "tpu")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown device 'tpu'");
    }
}
