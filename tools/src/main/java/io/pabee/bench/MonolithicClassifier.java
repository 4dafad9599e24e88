package io.pabee.bench;

import io.pabee.heads.HeadSet;
import io.pabee.heads.LinearHead;
import io.pabee.patience.ExitState;
import io.pabee.patience.FixedDepthPolicy;
import io.pabee.patience.HeadOutput;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.InFlight;
import io.pabee.stage.ModelDirectory;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ResultBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a user builds instead of PABEE: the prepared directory's monolithic ONNX model, the [CLS]
 * vector of its last layer and the last layer's head, one padded batch at a time, with the router's
 * tokenizer and truncation length. Counts the real and the padded tokens it fed the model.
 */
public final class MonolithicClassifier implements AutoCloseable {
    private final TextTokenizer tokenizer;
    private final ModelPreparer.Monolithic monolithic;
    private final LinearHead head;
    private final int layers;
    private final FixedDepthPolicy policy;
    private final ResultBuilder results;
    private final AtomicLong realTokens = new AtomicLong();
    private final AtomicLong paddedTokens = new AtomicLong();

    /** Loads tokenizer, monolithic model ({@code threads}: ONNX Runtime intra-op threads, 0 = all cores) and {@code task}'s heads. */
    public MonolithicClassifier(ModelDirectory dir, String task, ExecutionDevice device, int threads, int maxLength) {
        HeadSet heads = HeadSet.read(dir.heads(task));
        this.layers = heads.numLayers();
        this.head = heads.heads().get(layers - 1);
        this.policy = new FixedDepthPolicy(layers);
        this.results = new ResultBuilder(heads.labels(), layers, dir.version(task));
        this.tokenizer = new TextTokenizer(dir.tokenizer(), maxLength);
        try {
            this.monolithic = new ModelPreparer.Monolithic(dir.path().resolve(dir.manifest().monolithic), dir.hidden(), device, threads);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public Tokens tokenize(String text, String pair) {
        return tokenizer.encode(text, pair);
    }

    /** The last layer's head output for each record of one batch, padded to its longest record. */
    public List<HeadOutput> classify(List<Tokens> batch) {
        int longest = batch.stream().mapToInt(Tokens::length).max().orElse(0);
        realTokens.addAndGet(batch.stream().mapToInt(Tokens::length).sum());
        paddedTokens.addAndGet((long) longest * batch.size());
        List<float[]> cls = monolithic.cls(batch);
        List<HeadOutput> out = new ArrayList<>(cls.size());
        for (float[] c : cls) {
            out.add(head.apply(c, 0));
        }
        return out;
    }

    /**
     * The product's result shape for a record that ran all layers: policy {@code fixed}, setting
     * {@code k=L}, exit and layers run L, at {@code site}.
     */
    public Classification result(String id, Tokens tokens, HeadOutput out, ExitSite site, long eventTime, long now) {
        InFlight r = new InFlight(id, tokens.length(), null, layers, policy, new ExitState());
        r.last = out;
        r.truncated = tokens.truncated();
        return results.build(id, r, site, eventTime, now, now);
    }

    public int numLayers() {
        return layers;
    }

    /** Real tokens so far over the cells of the padded batches (records × longest record), 1 when nothing ran. */
    public double paddingEfficiency() {
        return paddingEfficiency(realTokens.get(), paddedTokens.get());
    }

    /** Real and padded token counts so far, for the efficiency of a span of work (see {@link #paddingEfficiency(long, long)}). */
    public long[] tokenCounts() {
        return new long[] {realTokens.get(), paddedTokens.get()};
    }

    public static double paddingEfficiency(long real, long padded) {
        return padded == 0 ? 1.0 : (double) real / padded;
    }

    @Override
    public void close() {
        monolithic.close();
        tokenizer.close();
    }
}
