package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The newcomer's first command: every shipped sample gets a labeled result, then the summary; exit 0. */
class DemoCommandTest {

    @Test
    void shouldLabelEveryShippedSampleThroughBrokerRouterAndWorkers() {
        Run run = demo();
        assertThat(run.rc()).as(run.err()).isZero();
        String text = run.out();
        long results = text.lines().filter(l -> l.matches("text-\\d+\\s+(positive|negative) .*exit layer .*")).count();
        assertThat(results).isEqualTo(16);
        assertThat(text).contains("summary").contains("16 results, 0 dead letters").contains("exit histogram")
                .contains("speed-up").contains("records/s").contains("p99");
        assertThat(text).containsPattern("at (router|worker)");
        // the shipped topic names, not pabee-pabee-...
        assertThat(run.err()).contains("from pabee-text-events to pabee-results").doesNotContain("pabee-pabee-");
    }

    @Test
    void shouldFinishRecordsThatContinuePastTheRouterInTheWorkers() {
        // the router runs one layer and patience 4 needs at least five: no record can exit there, so every
        // result comes from the demo's worker pool, from the hidden states the router sent on
        Run run = demo("--router-layers", "1", "--patience", "4", "--workers", "2");
        assertThat(run.rc()).as(run.err()).isZero();
        String text = run.out();
        long atWorker = text.lines().filter(l -> l.matches("text-\\d+\\s+(positive|negative) .*exit layer\\s+([5-9]|1[0-2]) at worker .*"))
                .count();
        assertThat(atWorker).as(text).isEqualTo(16);
        assertThat(text).contains("16 results, 0 dead letters").containsPattern("exited at router\\s+0, at workers 16");
    }

    /** Exit code, standard output and standard error of one {@code pabee demo} run. */
    private record Run(int rc, String out, String err) {
    }

    /** Runs {@code pabee demo} on the test model with {@code args} added. */
    private static Run demo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pabee.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String home = System.getProperty("pabee.home", "../models/prepared");
        String[] all = new String[args.length + 3];
        all[0] = "demo";
        all[1] = "--model-dir";
        all[2] = Path.of(home, "bge-small-en-v15").toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int rc = cl.execute(all);
        return new Run(rc, out.toString(), err.toString());
    }
}
