package io.pabee.features;

import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.stage.ModelDirectory;
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
 * A GLUE split, tokenized for a model, with its per-layer [CLS] features (from the on-disk cache
 * when the same model, split and max length were run before).
 */
public final class TaskData {
    private static final Logger LOG = LoggerFactory.getLogger(TaskData.class);

    public final GlueTask task;
    public final Split split;
    /** Examples that could be tokenized, in file order. */
    public final List<GlueExample> examples;
    public final List<Tokens> tokens;
    /** Rows skipped, by reason (e.g. empty-text). */
    public final Map<String, Integer> skipped;

    private TaskData(GlueTask task, Split split, List<GlueExample> examples, List<Tokens> tokens,
                     Map<String, Integer> skipped) {
        this.task = task;
        this.split = split;
        this.examples = examples;
        this.tokens = tokens;
        this.skipped = skipped;
    }

    public static TaskData load(Path glueDir, GlueTask task, Split split, TextTokenizer tokenizer) {
        List<GlueExample> all = GlueReader.read(glueDir, task, split);
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
            LOG.warn("{} {}: skipped rows {}", task.dirName(), split.id(), skipped);
        }
        return new TaskData(task, split, kept, tokens, skipped);
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

    /** Features of every layer, cached under {@code cacheDir} keyed by the model's stage hashes and the max length. */
    public LayerFeatures features(ModelDirectory model, StagedEncoder encoder, int maxLength, Path cacheDir,
                                  IntConsumer progress) throws IOException {
        String key = String.join("|", model.manifest().base, model.manifest().sha256.get(model.manifest().stages.get(0)),
                model.manifest().sha256.get(model.manifest().stages.get(model.numLayers())), task.dirName(),
                split.id(), "max" + maxLength, "n" + size());
        Path file = cacheDir.resolve(model.manifest().base)
                .resolve(task.dirName() + "-" + split.id() + "-max" + maxLength + ".features");
        LayerFeatures f = LayerFeatures.read(file, key);
        if (f != null) {
            LOG.info("features for {} {} from cache {}", task.dirName(), split.id(), file);
            progress.accept(size());
            return f;
        }
        long t0 = System.nanoTime();
        f = FeatureExtractor.extract(encoder, tokens, 64, progress);
        LOG.info("encoded {} {} records of {} {} in {} s", size(), model.manifest().base, task.dirName(), split.id(),
                String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        f.write(file, key);
        return f;
    }
}
