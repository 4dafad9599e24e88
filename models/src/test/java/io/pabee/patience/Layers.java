package io.pabee.patience;

import java.util.List;

/** Test helper: builds per-layer head outputs and drives a policy over them like the runtime does. */
final class Layers {

    private Layers() {
    }

    /** A 3-class output whose argmax is {@code label}. */
    static HeadOutput label(int label) {
        float[] p = {0.1f, 0.1f, 0.1f};
        p[label] = 0.8f;
        return HeadOutput.classification(p);
    }

    static HeadOutput probs(float... p) {
        return HeadOutput.classification(p);
    }

    static HeadOutput score(float s) {
        return HeadOutput.regression(s);
    }

    /** Runs every layer from 1; returns the exit layer. One output per layer, so numLayers = outs.size(). */
    static int exitLayer(ExitPolicy policy, List<HeadOutput> outs) {
        return exitLayer(policy, new ExitState(), 1, outs);
    }

    /** Continues {@code state} from {@code fromLayer}; returns the exit layer, or -1 if the policy never exits. */
    static int exitLayer(ExitPolicy policy, ExitState state, int fromLayer, List<HeadOutput> outs) {
        return exitLayer(policy, state, fromLayer, outs.size(), outs);
    }

    /**
     * Observes layers {@code fromLayer..toLayer} of an {@code outs.size()}-layer model, as a worker
     * that hands the record on after {@code toLayer} would; returns the exit layer or -1 if none.
     */
    static int exitLayer(ExitPolicy policy, ExitState state, int fromLayer, int toLayer, List<HeadOutput> outs) {
        for (int layer = fromLayer; layer <= toLayer; layer++) {
            if (policy.observe(state, layer, outs.size(), outs.get(layer - 1))) {
                return layer;
            }
        }
        return -1;
    }
}
