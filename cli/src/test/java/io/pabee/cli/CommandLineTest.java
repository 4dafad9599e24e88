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

    @Test
    void shouldRejectBadAdaptiveBenchOptionsWithTheReasonFirst() {
        assertThat(run("bench", "adaptive", "--load", "0")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow()).contains("--load");
        String model = CliRun.frozenModel().toString();
        for (String[] bad : new String[][] {{"pabee.no.such.key=1", "pabee.no.such.key"}, {"pabee.slo.latency.ms=soon", "soon"},
                {"novalue", "key=value"}}) {
            err.getBuffer().setLength(0);
            assertThat(run("bench", "adaptive", "--model-dir", model, "--set", bad[0])).as(bad[0]).isEqualTo(2);
            assertThat(err.toString().lines().findFirst().orElseThrow()).contains("--set").contains(bad[1]);
            assertThat(err.toString()).doesNotContain("at io.");
        }
    }

    @Test
    void shouldRejectADeviceTheRouterBenchDoesNotUse() {
        assertThat(run("bench", "router", "--device", "cuda")).isEqualTo(2);
        assertThat(err.toString()).contains("--device cuda is not used here").contains("CPU");
    }

    @Test
    void shouldRejectANegativeThreadCountAndAnImpossibleLength() {
        assertThat(run("bench", "inprocess", "--threads", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be >= 0");
        assertThat(run("models", "evaluate", "--task", "SST-2", "--max-length", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-length must be in 3..512");
    }

    @Test
    void shouldRejectPolicySettingsThatWouldNotBeUsed() {
        assertThat(run("models", "evaluate", "--task", "SST-2", "--policy", "patience", "--k", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--k sets the fixed policy");
        assertThat(run("models", "evaluate", "--task", "STS-B", "--entropy", "0.1")).isEqualTo(2);
        assertThat(err.toString()).contains("STS-B is a regression task");
        assertThat(run("models", "evaluate", "--task", "SST-2", "--regression-threshold", "0.3")).isEqualTo(2);
        assertThat(err.toString()).contains("--regression-threshold applies to regression tasks");
    }

    @Test
    void shouldRejectDemoSourcesThatExcludeEachOther(@TempDir Path tmp) {
        assertThat(run("demo", "--input", "-", "--glue-dir", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--input and --glue-dir exclude each other");
        assertThat(run("demo", "--split", "train")).isEqualTo(2);
        assertThat(err.toString()).contains("--split applies to --glue-dir data only");
    }

    @Test
    void shouldRejectAMisspeltSettingInOneLine() {
        assertThat(run("stats", "--set", "pabee.exit.patiance=3")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("unknown setting pabee.exit.patiance").doesNotContain("\n");
    }

    @Test
    void shouldPrintEverySettingOfEveryRole() {
        assertThat(run("config")).isZero();
        assertThat(out.toString()).contains("| `pabee.worker.group` |").contains("| `pabee.router.layers` |")
                .contains("| `pabee.model.dir` |");
    }

    @Test
    void shouldRejectUpWithBrokerOnlyAndAnExternalCluster() {
        assertThat(run("up", "--broker-only", "--bootstrap-servers", "kafka:9092")).isEqualTo(2);
        assertThat(err.toString()).contains("--broker-only starts the broker");
    }

    @Test
    void shouldRejectUpWithNothingToRun() {
        assertThat(run("up", "--bootstrap-servers", "kafka:9092", "--no-router", "--no-analytics", "--workers", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("nothing to run");
    }

    @Test
    void shouldRejectUpWithABrokerAddressWithoutPort() {
        assertThat(run("up", "--broker-address", "localhost")).isEqualTo(2);
        assertThat(err.toString()).contains("--broker-address must be host:port");
    }
}
