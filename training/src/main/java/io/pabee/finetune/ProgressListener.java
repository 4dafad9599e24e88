package io.pabee.finetune;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar (step, loss, tokens/s, ETA) on a terminal; without one (nohup, CI) a plain line every
 * {@code every} steps instead, plus one line per dev evaluation and checkpoint either way.
 */
public final class ProgressListener implements TrainingListener {
    private final PrintStream out;
    private final boolean tty;
    private final int every;
    private final String mainMetric;
    private ProgressBar bar;
    private long startNanos;
    private int firstStep;
    private double smoothed = Double.NaN;

    public ProgressListener(PrintStream out, String mainMetric, int every) {
        this.out = out;
        this.tty = System.console() != null;
        this.every = every;
        this.mainMetric = mainMetric;
    }

    @Override
    public void onStart(int first, int totalSteps) {
        this.firstStep = first;
        this.startNanos = System.nanoTime();
        if (tty) {
            bar = new ProgressBarBuilder().setTaskName("fine-tune").setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out))
                    .setUpdateIntervalMillis(1000).startsFrom(first, Duration.ZERO).build();
        } else {
            out.printf("fine-tune: steps %d..%d%n", first + 1, totalSteps);
        }
    }

    @Override
    public void onStep(int step, int totalSteps, int epoch, float loss, double tokensPerSecond) {
        smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
        String msg = String.format("epoch %d loss %.4f %.0f tok/s", epoch + 1, smoothed, tokensPerSecond);
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(msg);
        } else if (step % every == 0 || step == totalSteps) {
            double secs = (System.nanoTime() - startNanos) / 1e9;
            double eta = secs / Math.max(1, step - firstStep) * (totalSteps - step);
            out.printf("step %d/%d %s elapsed %s ETA %s%n", step, totalSteps, msg, hms(secs), hms(eta));
        }
    }

    @Override
    public void onEvaluation(int epoch, int step, List<Map<String, Double>> perLayer) {
        if (perLayer.isEmpty()) {
            return;
        }
        String curve = perLayer.stream().map(m -> String.format("%.4f", m.get(mainMetric))).collect(Collectors.joining(" "));
        println(String.format("dev after epoch %d (step %d), %s per layer: %s", epoch, step, mainMetric, curve));
    }

    @Override
    public void onCheckpoint(int step, java.nio.file.Path dir) {
        if (bar == null) {
            out.printf("checkpoint at step %d in %s%n", step, dir);
        }
    }

    @Override
    public void onEnd() {
        if (bar != null) {
            bar.close();
        }
    }

    private void println(String s) {
        out.println((bar != null ? "\n" : "") + s);
    }

    private static String hms(double secs) {
        long s = Math.round(secs);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
