package io.pabee.finetune;

import io.pabee.glue.GlueExample;
import java.util.ArrayList;
import java.util.List;

/** Self-written labeled sentences for CI-sized training runs. */
final class TinyData {
    private TinyData() {
    }

    static final TaskSpec SENTIMENT = TaskSpec.user("tiny-sentiment", List.of("negative", "positive"));

    static List<GlueExample> sentiment() {
        String[][] rows = {
                {"a wonderful , moving film", "1"}, {"dull and lifeless from start to end", "0"},
                {"the best performance of the year", "1"}, {"a tedious , boring mess", "0"},
                {"charming , funny and warm", "1"}, {"i hated every minute of it", "0"},
                {"brilliantly acted and beautifully shot", "1"}, {"an ugly , pointless waste of time", "0"}};
        List<GlueExample> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            out.add(new GlueExample("t" + i, rows[i][0], null, Integer.parseInt(rows[i][1]), Float.NaN));
        }
        return out;
    }

    /** Tiny settings: batch 4, short sequences, a learning rate that moves in a few steps. */
    static FineTuneOptions options(int maxSteps, int checkpointEvery, long seed) {
        return new FineTuneOptions(3, 2e-3f, 4, 32, 4, 8f, false, seed, maxSteps, 0.1f, 0.01f, 0.1f, 1f, checkpointEvery);
    }
}
