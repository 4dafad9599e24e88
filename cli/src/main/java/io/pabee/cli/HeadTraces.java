package io.pabee.cli;

import io.pabee.evaluate.Evaluation;
import io.pabee.features.LayerFeatures;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.patience.HeadOutput;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;

/** Every layer's head output for every record of a GLUE split, the encoder run once (features cached) for all policies. */
final class HeadTraces {
    private HeadTraces() {
    }

    /** The model the outputs came from, the split's records and {@code outputs[record][layer-1]}. */
    record Traced(ModelDirectory dir, TaskData data, HeadOutput[][] outputs) {
    }

    /** Encodes {@code split} of {@code task} with the task's model of {@code model}, progress on {@code err}. */
    static Traced of(ModelOptions model, GlueOptions glue, GlueTask task, Split split, PrintWriter err) throws IOException {
        ModelDirectory dir = model.open(task.dirName(), msg -> { });
        HeadSet heads = HeadSet.read(dir.heads(task.dirName()));
        int maxLength = model.maxLength(dir);
        LayerFeatures features;
        TaskData data;
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), maxLength);
             StagedEncoder enc = new StagedEncoder(dir, model.encoder())) {
            data = TaskData.load(glue.dir(), task, split, tok);
            try (ProgressBar bar = Progress.bar(err, "encode " + task.dirName() + " " + split.id(), data.size())) {
                features = data.features(dir, enc, maxLength, Paths.root().resolve("models/cache"), bar::stepTo);
            }
        }
        HeadOutput[][] outputs = Evaluation.headOutputs(features, (l, d, off) -> heads.heads().get(l - 1).apply(d, off));
        return new Traced(dir, data, outputs);
    }
}
