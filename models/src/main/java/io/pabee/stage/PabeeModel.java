package io.pabee.stage;

import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.Prediction;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prepared model with one task's heads: tokenizes, runs the staged encoder with dynamic
 * re-batching under an exit policy, and labels the records. Single-threaded like its encoder.
 */
public final class PabeeModel implements AutoCloseable {
    private final ModelDirectory dir;
    private final HeadSet heads;
    private final TextTokenizer tokenizer;
    private final StagedEncoder encoder;
    private final EarlyExitRunner runner;

    public PabeeModel(ModelDirectory dir, String task, StagedEncoder.Options options, int maxLength, int batchSize) {
        this.dir = dir;
        this.heads = HeadSet.read(dir.heads(task));
        this.tokenizer = new TextTokenizer(dir.tokenizer(), maxLength);
        this.encoder = new StagedEncoder(dir, options);
        this.runner = new EarlyExitRunner(encoder, heads::apply, batchSize);
    }

    /** One input: a key of the caller's, the text and an optional second text. */
    public record Input(Object key, String text, String textPair) {
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

    public ModelDirectory directory() {
        return dir;
    }

    /** Classifies every input to its exit (full depth at most). Inputs must already be validated (see TextCheck). */
    public List<Classification> classify(List<Input> inputs, ExitPolicy policy, boolean trace) {
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Tokens t = tokenizer.encode(in.text(), in.textPair());
            InFlight r = new InFlight(i, t.length(), null, 0, policy, new ExitState());
            r.truncated = t.truncated();
            fresh.add(new EarlyExitRunner.Fresh(t, trace ? r.traced() : r));
        }
        Classification[] out = new Classification[inputs.size()];
        runner.runAll(fresh, encoder.numLayers(), r -> {
            int i = (Integer) r.key;
            out[i] = toClassification(inputs.get(i).key(), r);
        }, r -> {
            throw new IllegalStateException("record " + r.key + " did not exit at the last layer");
        });
        return Arrays.asList(out);
    }

    /** The answer for a record that exited. */
    public Classification toClassification(Object key, InFlight r) {
        Prediction p = r.policy.predict(r.state, r.last);
        List<Float> layers = null;
        if (r.trace != null) {
            layers = new ArrayList<>(r.trace.size());
            for (HeadOutput o : r.trace) {
                layers.add(o.isRegression() ? o.score() : (float) o.argmax());
            }
        }
        String name = p.label() >= 0 && p.label() < heads.labels().size() ? heads.labels().get(p.label()) : null;
        return new Classification(key, p.label(), name, p.probabilities(), p.score(), r.layersDone, r.truncated, layers);
    }

    @Override
    public void close() {
        encoder.close();
        tokenizer.close();
    }
}
