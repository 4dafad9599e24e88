package io.pabee.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars of long CLI work, drawn by {@code me.tongfei:progressbar}: redrawn in place on a
 * terminal's stderr; elsewhere (logs, CI, tests) a line on {@code err} every 10 s instead of
 * carriage returns.
 */
final class Progress {
    private Progress() {
    }

    /** A started bar; close it (try-with-resources) to print its last state and stop its refresh thread. */
    static ProgressBar bar(PrintWriter err, String label, long total) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(label).setInitialMax(Math.max(1, total))
                .setStyle(ProgressBarStyle.ASCII);
        if (System.console() != null) {
            b.setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            b.setConsumer(new DelegatingProgressBarConsumer(line -> {
                err.println(line);
                err.flush();
            })).setUpdateIntervalMillis(10_000);
        }
        return b.build();
    }
}
