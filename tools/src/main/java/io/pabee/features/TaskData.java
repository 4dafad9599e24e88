package io.pabee.features;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.Sha256;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextCheck;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A labeled split (a GLUE split or a user's own file read by {@link io.pabee.labeled.LabeledFileReader}),
 * tokenized for a model, with its per-layer [CLS] features (from the on-disk cache when the same model,
 * data and max length were run before).
 */
public final class TaskData {
    private static final Logger LOG = LoggerFactory.getLogger(TaskData.class);

    /** The task's name: a GLUE directory name (e.g. SST-2) or the user's task name. */
    public final String task;
    /** The split's id, e.g. train or dev. */
    public final String split;
    /** Class names in label-index order; empty for regression. */
    public final List<String> labelNames;
    /** Examples that could be tokenized, in file order. */
    public final List<GlueExample> examples;
    public final List<Tokens> tokens;
    /** Rows skipped, by reason (e.g. empty-text). */
    public final Map<String, Integer> skipped;
    /** What identifies the data beyond task and split in the cache key: empty for GLUE, a user file's sha256. */
    private final String contentKey;

    private TaskData(String task, String split, List<String> labelNames, List<GlueExample> examples,
                     List<Tokens> tokens, Map<String, Integer> skipped, String contentKey) {
        this.task = task;
        this.split = split;
        this.labelNames = List.copyOf(labelNames);
        this.examples = examples;
        this.tokens = tokens;
        this.skipped = skipped;
        this.contentKey = contentKey;
    }

    public static TaskData load(Path glueDir, GlueTask task, Split split, TextTokenizer tokenizer) {
        return tokenize(task.dirName(), split.id(), task.labelNames(), GlueReader.read(glueDir, task, split), "", tokenizer);
    }

    /**
     * A user's labeled file ({@code examples} as read from {@code file}, labels indexing {@code labelNames});
     * its cached features are keyed by the file's sha256, so an edited file is encoded again.
     */
    public static TaskData ofFile(String task, String split, Path file, List<GlueExample> examples,
                                  List<String> labelNames, TextTokenizer tokenizer) {
        return tokenize(task, split, labelNames, examples, "sha256:" + Sha256.of(file), tokenizer);
    }

    private static TaskData tokenize(String task, String split, List<String> labelNames, List<GlueExample> all,
                                     String contentKey, TextTokenizer tokenizer) {
        List<GlueExample> kept = new ArrayList<>(all.size());
        List<Tokens> tokens = new ArrayList<>(all.size());
        Map<String, Integer> skipped = new LinkedHashMap<>();
        for (GlueExample e : all) {
            try {
                String text = TextCheck.clean(e.text(), "text");
                String pair = e.textPair() == null ? null : TextCheck.clean(e.textPair(), "text_pair");
                tokens.add(tokenizer.encode(text, pair));
                kept.add(e);
            } catch (TextCheck.RejectedText r) {
                skipped.merge(r.reason(), 1, Integer::sum);
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn("{} {}: skipped rows {}", task, split, skipped);
        }
        return new TaskData(task, split, labelNames, kept, tokens, skipped, contentKey);
    }

    public int size() {
        return tokens.size();
    }

    public int[] labels() {
        return examples.stream().mapToInt(GlueExample::label).toArray();
    }

    public float[] scores() {
        float[] out = new float[examples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = examples.get(i).score();
        }
        return out;
    }

    /**
     * Features of every layer, cached under {@code cacheDir} keyed by the model's stage hashes, the task, split,
     * max length and (for a user's file) the file's sha256.
     */
    public LayerFeatures features(ModelDirectory model, StagedEncoder encoder, int maxLength, Path cacheDir,
                                  IntConsumer progress) throws IOException {
        String key = String.join("|", model.manifest().base, model.manifest().sha256.get(model.manifest().stages.get(0)),
                model.manifest().sha256.get(model.manifest().stages.get(model.numLayers())), task,
                split, "max" + maxLength, "n" + size()) + (contentKey.isEmpty() ? "" : "|" + contentKey);
        Path file = cacheDir.resolve(model.manifest().base).resolve(task + "-" + split + "-max" + maxLength + ".features");
        LayerFeatures f = LayerFeatures.read(file, key);
        if (f != null) {
            LOG.info("features for {} {} from cache {}", task, split, file);
            progress.accept(size());
            return f;
        }
        long t0 = System.nanoTime();
        f = FeatureExtractor.extract(encoder, tokens, 64, progress);
        LOG.info("encoded {} {} records of {} {} in {} s", size(), model.manifest().base, task, split,
                String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        f.write(file, key);
        return f;
    }
}
