package io.pabee.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) with its moments held as named arrays. DJL's own {@code AdamW} keeps
 * its moments in private maps keyed by parameter ids, so a checkpoint cannot save or restore them; a run
 * resumed with it would restart both moments at zero and take different steps than the run it continues.
 */
public final class AdamW {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private int updates;

    public AdamW(float beta1, float beta2, float eps, float weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public static AdamW standard(float weightDecay) {
        return new AdamW(0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /**
     * One update of every parameter from its gradient (already clipped); {@code scratch} owns the temporaries.
     * Weight decay applies to matrices only, not to biases and layer-norm vectors.
     */
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, float lr, NDManager scratch) {
        updates++;
        float c1 = 1f - (float) Math.pow(beta1, updates);
        float c2 = 1f - (float) Math.pow(beta2, updates);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            NDArray g = grads.get(name);
            NDArray m = state.computeIfAbsent(name + ".m", n -> named(p.zerosLike(), n));
            NDArray v = state.computeIfAbsent(name + ".v", n -> named(p.zerosLike(), n));
            m.muli(beta1).addi(g.mul(1f - beta1));
            v.muli(beta2).addi(g.square().mul(1f - beta2));
            // results belong to the first operand's manager: move the corrected moments to scratch first
            NDArray mHat = m.div(c1);
            mHat.attach(scratch);
            NDArray vHat = v.div(c2);
            vHat.attach(scratch);
            NDArray update = mHat.div(vHat.sqrt().add(eps));
            if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                p.muli(1f - lr * weightDecay);
            }
            p.subi(update.mul(lr));
        }
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }

    public int updates() {
        return updates;
    }

    /** First and second moments by {@code <param>.m} / {@code <param>.v}. */
    public Map<String, NDArray> state() {
        return state;
    }

    /** Restores moments and the update count saved by a checkpoint. */
    public void restore(Map<String, NDArray> moments, int updateCount) {
        state.clear();
        state.putAll(moments);
        this.updates = updateCount;
    }
}
