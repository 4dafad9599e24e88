package io.pabee.stage;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.Prediction;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A local run over a {@link LayerModel}: tokenizes, runs the stages with dynamic re-batching under
 * an exit policy, and labels the records. Closes the model only when it loaded it itself.
 */
public final class PabeeModel implements AutoCloseable {
    private final LayerModel model;
    private final OnnxLayerModel owned;
    private final EarlyExitRunner runner;

    /** Loads the model of {@code task} from {@code dir} and owns it. */
    public PabeeModel(ModelDirectory dir, String task, StagedEncoder.Options options, int maxLength, int batchSize) {
        this(OnnxLayerModel.load(dir, task, options, maxLength), batchSize);
    }

    /** Loads the model of {@code task} from {@code dir} and owns it; stage batches are formed in {@code order}. */
    public PabeeModel(ModelDirectory dir, String task, StagedEncoder.Options options, int maxLength, int batchSize,
                      BatchOrder order) {
        this(OnnxLayerModel.load(dir, task, options, maxLength), batchSize, order);
    }

    /** Runs over a shared model that its owner closes. */
    public PabeeModel(LayerModel model, int batchSize) {
        this(model, null, batchSize, BatchOrder.LENGTH);
    }

    private PabeeModel(OnnxLayerModel owned, int batchSize) {
        this(owned, owned, batchSize, BatchOrder.LENGTH);
    }

    private PabeeModel(OnnxLayerModel owned, int batchSize, BatchOrder order) {
        this(owned, owned, batchSize, order);
    }

    private PabeeModel(LayerModel model, OnnxLayerModel owned, int batchSize, BatchOrder order) {
        this.model = model;
        this.owned = owned;
        this.runner = new EarlyExitRunner(model, batchSize, order);
    }

    /** One input: a key of the caller's, the text and an optional second text. */
    public record Input(Object key, String text, String textPair) {
    }

    public LayerModel model() {
        return model;
    }

    /** Classifies every input to its exit (full depth at most). Inputs must already be validated (see TextCheck). */
    public List<Labeled> classify(List<Input> inputs, ExitPolicy policy, boolean trace) {
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Tokens t = model.tokenize(in.text(), in.textPair());
            InFlight r = new InFlight(i, t.length(), null, 0, policy, new ExitState());
            r.truncated = t.truncated();
            fresh.add(new EarlyExitRunner.Fresh(t, trace ? r.traced() : r));
        }
        Labeled[] out = new Labeled[inputs.size()];
        runner.runAll(fresh, model.numLayers(), r -> {
            int i = (Integer) r.key;
            out[i] = label(inputs.get(i).key(), r);
        }, r -> {
            throw new IllegalStateException("record " + r.key + " did not exit at the last layer");
        });
        return Arrays.asList(out);
    }

    /** The answer for a record that exited. */
    public Labeled label(Object key, InFlight r) {
        Prediction p = r.policy.predict(r.state, r.last);
        List<Float> layers = null;
        if (r.trace != null) {
            layers = new ArrayList<>(r.trace.size());
            for (HeadOutput o : r.trace) {
                layers.add(o.isRegression() ? o.score() : (float) o.argmax());
            }
        }
        return new Labeled(key, p.label(), p.labelName(model.labels()), p.probabilities(), p.score(), r.layersDone,
                r.truncated, layers);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
