package io.pabee.stage;

import io.pabee.heads.HeadSet;
import io.pabee.patience.HeadOutput;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide {@link LayerModel} over a prepared model directory: tokenizer, the stage sessions
 * a role needs and one task's heads, loaded once. Thread-safe (shared sessions, per-thread buffers,
 * immutable heads); the owner closes it once, after every task and worker using it has stopped.
 */
public final class OnnxLayerModel implements LayerModel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxLayerModel.class);

    private final ModelDirectory dir;
    private final HeadSet heads;
    private final TextTokenizer tokenizer;
    private final StagedEncoder encoder;
    private final String version;

    private OnnxLayerModel(ModelDirectory dir, HeadSet heads, TextTokenizer tokenizer, StagedEncoder encoder) {
        this.dir = dir;
        this.heads = heads;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.version = dir.version(heads.task());
    }

    /**
     * Loads the model of {@code task} from {@code dir} with the stages of {@code options} (a router
     * needs 0..K, a worker 1..L); a missing or tampered file fails here, before any record is read.
     */
    public static OnnxLayerModel load(ModelDirectory dir, String task, StagedEncoder.Options options, int maxLength) {
        HeadSet heads = HeadSet.read(dir.heads(task));
        TextTokenizer tokenizer = new TextTokenizer(dir.tokenizer(), maxLength);
        try {
            OnnxLayerModel m = new OnnxLayerModel(dir, heads, tokenizer, new StagedEncoder(dir, options));
            LOG.info("model {} loaded for {} (version {}), shared by every task and thread of this process",
                    dir.manifest().base, heads.task(), m.version);
            return m;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public ModelDirectory directory() {
        return dir;
    }

    public HeadSet heads() {
        return heads;
    }

    public StagedEncoder encoder() {
        return encoder;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Tokens tokenize(String text, String pair) {
        return tokenizer.encode(text, pair);
    }

    @Override
    public List<float[]> embed(List<Tokens> batch) {
        return encoder.embed(batch);
    }

    @Override
    public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
        return encoder.layer(layer, hiddens, lengths);
    }

    @Override
    public HeadOutput apply(int layer, float[] hidden) {
        return heads.apply(layer, hidden);
    }

    @Override
    public int numLayers() {
        return encoder.numLayers();
    }

    @Override
    public int hidden() {
        return encoder.hidden();
    }

    @Override
    public List<String> labels() {
        return heads.labels();
    }

    @Override
    public boolean regression() {
        return heads.regression();
    }

    @Override
    public String task() {
        return heads.task();
    }

    @Override
    public String modelId() {
        return dir.manifest().base;
    }

    @Override
    public String modelVersion() {
        return version;
    }

    @Override
    public void close() {
        encoder.close();
        tokenizer.close();
    }
}
