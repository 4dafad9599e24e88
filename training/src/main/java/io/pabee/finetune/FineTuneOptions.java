package io.pabee.finetune;

/**
 * Settings of a fine-tuning run.
 *
 * @param loraRank        rank of the adapters; ignored with {@code full}
 * @param full            train every encoder weight instead of adapters
 * @param maxSteps        stop after this many optimizer steps in total (0 = run all epochs)
 * @param warmupFraction  share of the steps spent warming the learning rate up from 0
 * @param checkpointEvery save a checkpoint every this many steps (and at each epoch end)
 */
public record FineTuneOptions(int epochs, float lr, int batchSize, int maxLength, int loraRank, float loraAlpha,
                              boolean full, long seed, int maxSteps, float warmupFraction, float weightDecay,
                              float dropout, float clipNorm, int checkpointEvery) {

    /** Learning rate when none is given: 2e-5 for full fine-tuning (BERT's), 5e-4 for adapters and fresh heads. */
    public static float defaultLr(boolean full) {
        return full ? 2e-5f : 5e-4f;
    }

    public static FineTuneOptions defaults() {
        return new FineTuneOptions(3, defaultLr(false), 32, 128, 16, 32f, false, 42, 0, 0.1f, 0.01f, 0.1f, 1f, 500);
    }

    public FineTuneOptions withSteps(int max, int every) {
        return new FineTuneOptions(epochs, lr, batchSize, maxLength, loraRank, loraAlpha, full, seed, max, warmupFraction,
                weightDecay, dropout, clipNorm, every);
    }

    public void check() {
        if (epochs < 1 || batchSize < 1 || maxLength < 3 || !(lr > 0) || (!full && loraRank < 1) || maxSteps < 0
                || checkpointEvery < 1 || dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("bad fine-tuning settings: " + this);
        }
    }

    /** What makes two runs the same run (a checkpoint may only be resumed under identical settings). */
    String identity() {
        return String.join("|", "epochs=" + epochs, "lr=" + lr, "batch=" + batchSize, "maxLength=" + maxLength,
                full ? "full" : "lora=" + loraRank + "/" + loraAlpha, "seed=" + seed, "warmup=" + warmupFraction,
                "wd=" + weightDecay, "dropout=" + dropout, "clip=" + clipNorm);
    }
}
