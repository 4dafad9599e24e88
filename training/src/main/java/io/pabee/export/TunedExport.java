package io.pabee.export;

import io.pabee.finetune.Checkpoint;
import io.pabee.finetune.FineTuneOptions;
import io.pabee.finetune.FineTuner;
import io.pabee.heads.HeadSet;
import io.pabee.lora.LoraAdapters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The end of a fine-tuning run: final dev metrics, the shipped form (adapters + heads) and the exported model directory. */
public final class TunedExport {
    private TunedExport() {
    }

    /** What was written: the ship folder (null with --full) and the verified model directory. */
    public record Result(Path shipped, StageExporter.Result exported, List<Map<String, Double>> devMetrics) {
    }

    public static Result finish(FineTuner tuner, Path shipDir, Path target, Consumer<String> progress) throws IOException {
        LoraAdapters lora = tuner.encoder().lora();
        if (lora != null) {
            TunedAdapters.roundToHalf(lora); // export and dev metrics describe exactly what ships
        }
        List<Map<String, Double>> dev = tuner.evaluate();
        HeadSet heads = tuner.heads().toHeadSet(tuner.task(), dev, trainingInfo(tuner));
        Path shipped = null;
        if (lora != null) {
            TunedAdapters.write(shipDir, tuner.base().manifest(), tuner.task().name(), lora, heads, trainingInfo(tuner));
            shipped = shipDir;
            progress.accept("wrote adapters and heads to " + shipDir);
        }
        StageExporter.Result r = StageExporter.export(tuner.base(), tuner.layout(), tuner.encoder(), heads, target, progress);
        return new Result(shipped, r, dev);
    }

    static Map<String, Object> trainingInfo(FineTuner t) {
        FineTuneOptions o = t.options();
        Checkpoint.State s = t.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", o.full() ? "full fine-tuning" : "LoRA");
        if (!o.full()) {
            m.put("loraRank", o.loraRank());
            m.put("loraAlpha", o.loraAlpha());
        }
        m.put("loss", "sum_j j*L_j / sum_j j over per-layer heads on [CLS]");
        m.put("epochs", o.epochs());
        m.put("lr", o.lr());
        m.put("batchSize", o.batchSize());
        m.put("maxLength", o.maxLength());
        m.put("seed", o.seed());
        m.put("steps", s.step);
        m.put("trainTokens", s.tokens);
        m.put("trainSeconds", Math.round(s.seconds));
        m.put("tokensPerSecond", Math.round(s.tokens / Math.max(1e-9, s.seconds)));
        return m;
    }
}
