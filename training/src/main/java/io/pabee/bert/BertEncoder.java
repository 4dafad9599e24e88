package io.pabee.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import io.pabee.lora.LoraAdapters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The BERT encoder of the stage files, written with DJL operations so that it can be trained:
 * post-layer-norm layers, erf GELU, the graph's layer-norm epsilon and additive attention mask, token types
 * and position ids 0..T-1, exactly as {@code stage-00..NN.onnx} compute them (dropout only when training).
 * Every operation puts the activation first, so results belong to the caller's (per-batch) manager.
 *
 * <p>Scalars are tensors of that manager, never Java numbers: DJL's {@code div(Number)} wraps the number in a
 * tensor over a Java buffer and closes it at once, while autograd keeps that tensor for the backward pass;
 * once the buffer is collected, the backward pass reads freed memory (random NaN gradients).
 */
public final class BertEncoder implements AutoCloseable {
    private final NDManager manager;
    private final BertConfig config;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Shape normShape;
    private LoraAdapters lora;
    private float dropout = 0.1f;

    private BertEncoder(NDManager manager, BertConfig config) {
        this.manager = manager;
        this.config = config;
        this.normShape = new Shape(config.hidden());
    }

    /** Copies the weights into a new sub-manager of {@code parent}. */
    public static BertEncoder of(NDManager parent, OnnxBertWeights weights) {
        BertEncoder e = new BertEncoder(parent.newSubManager(), weights.config());
        weights.weights().forEach((name, w) -> {
            NDArray a = e.manager.create(w.values(), new Shape(w.shape()));
            a.setName(name);
            e.params.put(name, a);
        });
        return e;
    }

    public BertConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** Base weights by {@link BertParams} name (not a copy: export reads, full fine-tuning updates them). */
    public Map<String, NDArray> params() {
        return params;
    }

    /** Low-rank adapters added to the dense projections; null for none. */
    public void setLora(LoraAdapters adapters) {
        this.lora = adapters;
    }

    public LoraAdapters lora() {
        return lora;
    }

    public void setDropout(float rate) {
        this.dropout = rate;
    }

    /**
     * Hidden states of every stage for a padded batch: index 0 = embeddings, index k = layer k, each
     * {@code [batch, tokens, hidden]}. {@code ids}, {@code types} and {@code mask} are int64 {@code [batch, tokens]}.
     */
    public List<NDArray> forward(NDArray ids, NDArray types, NDArray mask, boolean training) {
        long t = ids.getShape().get(1);
        NDManager m = ids.getManager();
        NDArray x = Embedding.embedding(ids, params.get(BertParams.WORD), SparseFormat.DENSE).singletonOrThrow();
        if (config.tokenTypes()) {
            x = x.add(Embedding.embedding(types, params.get(BertParams.TYPE), SparseFormat.DENSE).singletonOrThrow());
        }
        Scalars c = new Scalars(m, config.attentionScale(), lora == null ? 1f : lora.scale());
        NDArray positions = m.arange(0L, t, 1L, DataType.INT64).expandDims(0);
        x = x.add(Embedding.embedding(positions, params.get(BertParams.POSITION), SparseFormat.DENSE).singletonOrThrow());
        x = norm(x, BertParams.EMB_LN_GAMMA, BertParams.EMB_LN_BETA);
        x = drop(x, training);
        // (1 - mask) * fill, broadcast over heads and query positions, as the graph's Sub/Mul build it
        NDArray maskAdd = mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(config.maskFill())
                .reshape(ids.getShape().get(0), 1, 1, t);
        List<NDArray> states = new ArrayList<>(config.numLayers() + 1);
        states.add(x);
        for (int k = 1; k <= config.numLayers(); k++) {
            x = layer(k, x, maskAdd, c, training);
            states.add(x);
        }
        return states;
    }

    /** Constants of one forward pass, as tensors that live as long as its autograd graph. */
    private record Scalars(NDArray scale, NDArray sqrt2, NDArray one, NDArray half, NDArray loraScale) {
        Scalars(NDManager m, float scale, float loraScale) {
            this(m.create(scale), m.create(1.4142135f), m.create(1f), m.create(0.5f), m.create(loraScale));
        }
    }

    private NDArray layer(int k, NDArray x, NDArray maskAdd, Scalars c, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int nh = config.heads();
        int hs = config.headSize();
        NDArray q = dense(k, BertParams.QUERY, x, c).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray kT = dense(k, BertParams.KEY, x, c).reshape(b, t, nh, hs).transpose(0, 2, 3, 1);
        NDArray v = dense(k, BertParams.VALUE, x, c).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray probs = q.matMul(kT).div(c.scale()).add(maskAdd).softmax(3);
        probs = drop(probs, training);
        NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.hidden());
        NDArray a = drop(dense(k, BertParams.ATTN_OUT, ctx, c), training).add(x);
        a = norm(a, BertParams.gamma(k, BertParams.ATTN_LN), BertParams.beta(k, BertParams.ATTN_LN));
        NDArray h = dense(k, BertParams.INTERMEDIATE, a, c);
        h = h.mul(h.div(c.sqrt2()).erf().add(c.one())).mul(c.half());
        NDArray o = drop(dense(k, BertParams.OUTPUT, h, c), training).add(a);
        return norm(o, BertParams.gamma(k, BertParams.OUT_LN), BertParams.beta(k, BertParams.OUT_LN));
    }

    /** x · W + b, plus the adapter's low-rank update when one is set. */
    private NDArray dense(int layer, String which, NDArray x, Scalars c) {
        NDArray y = x.matMul(params.get(BertParams.weight(layer, which)));
        if (lora != null) {
            NDArray delta = lora.apply(layer, which, x, c.loraScale());
            if (delta != null) {
                y = y.add(delta);
            }
        }
        return y.add(params.get(BertParams.bias(layer, which)));
    }

    private NDArray norm(NDArray x, String gamma, String beta) {
        return LayerNorm.layerNorm(x, normShape, params.get(gamma), params.get(beta), config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray drop(NDArray x, boolean training) {
        return training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
    }

    @Override
    public void close() {
        manager.close();
    }
}
