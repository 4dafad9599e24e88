package io.pabee.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.PolynomialDecayTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import io.pabee.bert.BertEncoder;
import io.pabee.bert.BertParams;
import io.pabee.bert.OnnxBertWeights;
import io.pabee.bert.PaddedBatch;
import io.pabee.glue.GlueExample;
import io.pabee.lora.LoraAdapters;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.Sha256;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes the encoder together with one head per layer (PABEE's recipe): the loss is every layer's
 * cross-entropy (squared error for regression) weighted by the layer index, Σ j·L_j / Σ j; AdamW with linear
 * warm-up and decay; dropout; length-bucketed batches; LoRA adapters or every weight. Checkpoints hold weights,
 * optimizer moments and the data position, and a run started on a directory with a checkpoint resumes it.
 *
 * <p>The loop is written out instead of DJL's {@code Trainer}: the trainable arrays are adapters and heads outside
 * any {@code Block}, and the optimizer state must be saved and restored (see {@link AdamW}). The rest follows DJL's
 * habits: a sub-manager per batch, the {@code GradientCollector} in try-with-resources, composed learning-rate
 * trackers, progress through a {@link TrainingListener}.
 */
public final class FineTuner implements AutoCloseable {
    private static final int EVAL_BATCH = 64;

    private final ModelDirectory base;
    private final TaskSpec task;
    private final FineTuneOptions options;
    private final Path runDir;
    private final NDManager manager;
    private final BertEncoder encoder;
    private final PabeeHeads heads;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final AdamW optimizer;
    private final List<Tokens> trainTokens;
    private final int[] trainLengths;
    private final List<GlueExample> train;
    private final List<Tokens> devTokens;
    private final List<GlueExample> dev;
    private final String runId;
    private final OnnxBertWeights layout;
    private final Checkpoint.State state;

    public FineTuner(ModelDirectory base, TaskSpec task, List<GlueExample> train, List<GlueExample> dev,
                     FineTuneOptions options, Path runDir) throws IOException {
        options.check();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + " has no training examples");
        }
        this.base = base;
        this.task = task;
        this.options = options;
        this.runDir = runDir;
        this.train = train;
        this.dev = dev;
        try (TextTokenizer tok = new TextTokenizer(base.tokenizer(), options.maxLength())) {
            this.trainTokens = train.stream().map(x -> tok.encode(x.text(), x.textPair())).toList();
            this.devTokens = dev.stream().map(x -> tok.encode(x.text(), x.textPair())).toList();
        }
        this.trainLengths = trainTokens.stream().mapToInt(Tokens::length).toArray();
        this.runId = runId(base, task, train, options);

        this.manager = NDManager.newBaseManager();
        OnnxBertWeights weights = OnnxBertWeights.load(base);
        this.layout = weights;
        this.encoder = BertEncoder.of(manager, weights);
        encoder.setDropout(options.dropout());
        int layers = weights.config().numLayers();
        this.heads = PabeeHeads.init(manager, layers, weights.config().hidden(), task.outputs(), options.seed());
        if (task.regression()) {
            // start every regression head at the mean score: from 0, the first steps (scores 0..5) push the adapters
            // to add one large constant to [CLS], which drowns what differs between inputs (STS-B collapsed so)
            heads.setBiases((float) train.stream().mapToDouble(GlueExample::score).average().orElse(0));
        }
        if (options.full()) {
            trainable.putAll(encoder.params());
        } else {
            LoraAdapters lora = LoraAdapters.init(manager, encoder.params(), layers, options.loraRank(),
                    options.loraAlpha(), BertParams.DENSE, options.seed() + 1);
            encoder.setLora(lora);
            trainable.putAll(lora.arrays());
        }
        trainable.putAll(heads.arrays());
        this.optimizer = AdamW.standard(options.weightDecay());
        this.state = Checkpoint.exists(runDir) ? resume() : fresh();
        trainable.values().forEach(a -> a.setRequiresGradient(true));
    }

    private Checkpoint.State fresh() {
        Checkpoint.State s = new Checkpoint.State();
        s.runId = runId;
        s.task = task.name();
        return s;
    }

    private Checkpoint.State resume() throws IOException {
        Checkpoint.State s = Checkpoint.readState(runDir);
        if (!runId.equals(s.runId)) {
            throw new IllegalArgumentException("checkpoint " + runDir.resolve(Checkpoint.DIR) + " belongs to another run (task "
                    + s.task + ", run " + abbrev(s.runId) + "; this run is " + task.name() + " " + abbrev(runId)
                    + "): use another --out or the same data and settings");
        }
        Map<String, NDArray> saved = Checkpoint.readParams(runDir, manager);
        if (!saved.keySet().equals(trainable.keySet())) {
            throw new IllegalArgumentException("checkpoint " + runDir.resolve(Checkpoint.DIR) + " holds other arrays than this run trains");
        }
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            NDArray src = saved.get(e.getKey());
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("checkpoint array " + e.getKey() + " has shape " + src.getShape());
            }
            e.getValue().set(src.toFloatArray());
            src.close();
        }
        optimizer.restore(Checkpoint.readMoments(runDir, manager), s.optimizerUpdates);
        return s;
    }

    private static String abbrev(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }

    /** sha256 over the base model's stages, the task, every training example and the settings. */
    static String runId(ModelDirectory base, TaskSpec task, List<GlueExample> train, FineTuneOptions o) {
        MessageDigest md = Sha256.digest();
        base.manifest().stages.forEach(s -> md.update(base.manifest().sha256.get(s).getBytes(StandardCharsets.UTF_8)));
        md.update((task.name() + "|" + task.labels() + "|" + task.regression() + "|" + o.identity())
                .getBytes(StandardCharsets.UTF_8));
        for (GlueExample x : train) {
            md.update((x.text() + "\t" + x.textPair() + "\t" + x.label() + "\t" + x.score() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public int batchesPerEpoch() {
        return BatchPlan.batchesPerEpoch(train.size(), options.batchSize());
    }

    public int totalSteps() {
        int all = options.epochs() * batchesPerEpoch();
        return options.maxSteps() > 0 ? Math.min(all, options.maxSteps()) : all;
    }

    /** The schedule over the whole run (not {@code --max-steps}, so a short test run sees the real warm-up). */
    private Tracker schedule() {
        int all = options.epochs() * batchesPerEpoch();
        int warm = Math.max(1, Math.round(all * options.warmupFraction()));
        Tracker decay = PolynomialDecayTracker.builder().setBaseValue(options.lr()).setEndLearningRate(0f)
                .setDecaySteps(Math.max(1, all - warm)).optPower(1f).build();
        return WarmUpTracker.builder().setMainTracker(decay).optWarmUpSteps(warm).optWarmUpBeginValue(0f).build();
    }

    /** Trains until all epochs (or {@code maxSteps}) are done, checkpointing on the way; returns the final state. */
    public Checkpoint.State train(TrainingListener listener) throws IOException {
        Tracker lr = schedule();
        int total = totalSteps();
        listener.onStart(state.step, total);
        long startNanos = System.nanoTime();
        double secondsBefore = state.seconds;
        while (state.step < total && state.epoch < options.epochs()) {
            List<int[]> plan = BatchPlan.epoch(trainLengths, options.batchSize(), options.seed(), state.epoch);
            while (state.batch < plan.size() && state.step < total) {
                int[] batch = plan.get(state.batch);
                long tokens = Arrays.stream(batch).mapToLong(i -> trainLengths[i]).sum();
                float loss = step(batch, lr.getNewValue(state.step));
                state.step++;
                state.batch++;
                state.tokens += tokens;
                state.seconds = secondsBefore + (System.nanoTime() - startNanos) / 1e9;
                listener.onStep(state.step, total, state.epoch, loss, state.tokens / Math.max(1e-9, state.seconds));
                if (state.step % options.checkpointEvery() == 0 && state.batch < plan.size()) {
                    save(listener);
                }
            }
            if (state.batch >= plan.size()) {
                List<Map<String, Double>> metrics = evaluate();
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("epoch", state.epoch + 1);
                ev.put("step", state.step);
                ev.put("perLayer", metrics);
                state.evaluations.add(ev);
                listener.onEvaluation(state.epoch + 1, state.step, metrics);
                state.epoch++;
                state.batch = 0;
            }
            save(listener);
        }
        listener.onEnd();
        return state;
    }

    private void save(TrainingListener listener) throws IOException {
        state.optimizerUpdates = optimizer.updates();
        Checkpoint.save(runDir, state, trainable, optimizer.state());
        listener.onCheckpoint(state.step, runDir.resolve(Checkpoint.DIR));
    }

    /** One optimizer step on one batch; returns its loss. */
    float step(int[] batch, float learningRate) {
        // dropout draws from torch's generator: seeding it per step makes a resumed run draw what the original would
        Engine.getInstance().setRandomSeed((int) (options.seed() * 7919 + state.step));
        try (NDManager scratch = manager.newSubManager()) {
            List<Tokens> tokens = new ArrayList<>(batch.length);
            for (int i : batch) {
                tokens.add(trainTokens.get(i));
            }
            PaddedBatch pb = PaddedBatch.of(scratch, tokens);
            NDArray target = targets(scratch, batch, train);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                List<NDArray> states = encoder.forward(pb.ids(), pb.types(), pb.mask(), true);
                NDArray l = loss(states, target, true);
                loss = l.getFloat();
                gc.backward(l);
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scratch);
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            if (!Float.isFinite(loss) || !Double.isFinite(norm)) {
                // stop before the update: the last checkpoint still holds finite weights
                throw new IllegalStateException("step " + (state.step + 1) + ": loss " + loss + ", gradient norm " + norm
                        + " not finite; lower --lr or report it");
            }
            if (options.clipNorm() > 0 && norm > options.clipNorm()) {
                float f = (float) (options.clipNorm() / (norm + 1e-6));
                grads.replaceAll((k, g) -> g.mul(f));
            }
            optimizer.step(trainable, grads, learningRate, scratch);
            for (NDArray a : trainable.values()) {
                NDArray g = a.getGradient();
                g.attach(scratch);
                g.muli(0f); // PyTorch accumulates gradients across backward passes
            }
            return loss;
        }
    }

    private NDArray targets(NDManager m, int[] batch, List<GlueExample> from) {
        if (task.regression()) {
            float[] y = new float[batch.length];
            for (int i = 0; i < batch.length; i++) {
                y[i] = from.get(batch[i]).score();
            }
            return m.create(y);
        }
        long[] y = new long[batch.length];
        for (int i = 0; i < batch.length; i++) {
            y[i] = from.get(batch[i]).label();
        }
        return m.create(y);
    }

    /** Σ_j j·L_j / Σ_j j over the heads of layers 1..L (PABEE's weighting toward deeper layers). */
    NDArray loss(List<NDArray> states, NDArray target, boolean training) {
        NDArray sum = null;
        float weights = 0;
        NDArray oneHot = task.regression() ? null : target.oneHot(task.outputs());
        for (int k = 1; k < states.size(); k++) {
            NDArray cls = states.get(k).get(new NDIndex(":, 0, :"));
            if (training && options.dropout() > 0) {
                cls = Dropout.dropout(cls, options.dropout(), true).singletonOrThrow();
            }
            NDArray logits = heads.logits(k, cls);
            NDArray lk = task.regression()
                    ? logits.reshape(-1).sub(target).square().mean()
                    : logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
            // layer weights as tensors of the batch's manager, alive through backward (see BertEncoder)
            NDArray weighted = lk.mul(target.getManager().create((float) k));
            sum = sum == null ? weighted : sum.add(weighted);
            weights += k;
        }
        return sum.div(target.getManager().create(weights));
    }

    /** Per-layer dev metrics (index 0 = layer 1); empty when there is no dev data. */
    public List<Map<String, Double>> evaluate() {
        if (dev.isEmpty()) {
            return List.of();
        }
        int layers = encoder.config().numLayers();
        int[][] pred = new int[layers][dev.size()];
        float[][] score = new float[layers][dev.size()];
        Integer[] order = new Integer[dev.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(devTokens.get(a).length(), devTokens.get(b).length()));
        for (int from = 0; from < order.length; from += EVAL_BATCH) {
            int[] idx = Arrays.stream(order, from, Math.min(order.length, from + EVAL_BATCH)).mapToInt(Integer::intValue).toArray();
            try (NDManager scratch = manager.newSubManager()) {
                List<Tokens> tokens = Arrays.stream(idx).mapToObj(devTokens::get).toList();
                PaddedBatch pb = PaddedBatch.of(scratch, tokens);
                List<NDArray> states = encoder.forward(pb.ids(), pb.types(), pb.mask(), false);
                for (int k = 1; k <= layers; k++) {
                    NDArray logits = heads.logits(k, states.get(k).get(new NDIndex(":, 0, :")));
                    if (task.regression()) {
                        float[] v = logits.reshape(-1).toFloatArray();
                        for (int i = 0; i < idx.length; i++) {
                            score[k - 1][idx[i]] = v[i];
                        }
                    } else {
                        long[] a = logits.argMax(1).toLongArray();
                        for (int i = 0; i < idx.length; i++) {
                            pred[k - 1][idx[i]] = (int) a[i];
                        }
                    }
                }
            }
        }
        List<Map<String, Double>> out = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            out.add(task.regression() ? task.score(score[k], dev) : task.score(pred[k], dev));
        }
        return out;
    }

    /** Mean loss over the given examples without dropout (tests compare it before and after training). */
    public float meanLoss(List<Integer> examples) {
        int[] idx = examples.stream().mapToInt(Integer::intValue).toArray();
        try (NDManager scratch = manager.newSubManager()) {
            List<Tokens> tokens = Arrays.stream(idx).mapToObj(trainTokens::get).toList();
            PaddedBatch pb = PaddedBatch.of(scratch, tokens);
            return loss(encoder.forward(pb.ids(), pb.types(), pb.mask(), false), targets(scratch, idx, train), false)
                    .getFloat();
        }
    }

    /** Where each encoder weight lives in the stage files (export writes there). */
    public OnnxBertWeights layout() {
        return layout;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    public PabeeHeads heads() {
        return heads;
    }

    public TaskSpec task() {
        return task;
    }

    public FineTuneOptions options() {
        return options;
    }

    public ModelDirectory base() {
        return base;
    }

    public Checkpoint.State state() {
        return state;
    }

    /** The arrays being trained, by name (adapters or encoder weights, then heads). */
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public void close() {
        manager.close();
    }
}
