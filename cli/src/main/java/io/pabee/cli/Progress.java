package io.pabee.cli;

import java.io.PrintWriter;

/** A one-line progress bar on stderr for long work; silent when stderr is not a terminal unless forced. */
final class Progress {
    private final PrintWriter err;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null;
    private int lastPercent = -1;

    Progress(PrintWriter err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
    }

    synchronized void update(long done) {
        int pct = (int) (100 * done / total);
        if (pct == lastPercent) {
            return;
        }
        lastPercent = pct;
        int width = 30;
        int filled = pct * width / 100;
        double secs = (System.nanoTime() - start) / 1e9;
        String line = String.format("%s [%s%s] %3d%% %d/%d %.0fs", label, "#".repeat(filled),
                " ".repeat(width - filled), pct, done, total, secs);
        if (tty) {
            err.print("\r" + line + (done >= total ? "\n" : ""));
        } else if (pct % 25 == 0) {
            err.println(line); // logs and CI get a few milestones instead of carriage returns
        }
        err.flush();
    }
}
