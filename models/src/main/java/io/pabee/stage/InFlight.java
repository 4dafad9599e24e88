package io.pabee.stage;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * One record between layers: the hidden state of its real tokens after {@code layersDone} layers
 * (0 = embeddings only), its exit policy and state. Padding is never stored, so records of any
 * length can be re-batched with any others at the same depth, here or in another process.
 */
public final class InFlight {
    /** Caller's handle (index, record id, Kafka metadata...). */
    public final Object key;
    public final int length;
    /** Row-major [length][hidden]. */
    public float[] hidden;
    public int layersDone;
    public final ExitPolicy policy;
    public final ExitState state;
    public boolean truncated;
    /** The head output of the last layer run. */
    public HeadOutput last;
    /** Every layer's head output, when tracing (index 0 = layer 1 or the first layer run here). */
    public List<HeadOutput> trace;
    /** Set when the policy said stop. */
    public boolean exited;
    /** Patience the record asked for before any lowering (-1: not a patience record or not known). */
    public int patienceConfigured = -1;
    /** "load" or "budget" when its patience was lowered, else null. */
    public String loweredReason;
    /** Encoder layers the router ran for it (K; -1: not known). */
    public int routerLayers = -1;

    public InFlight(Object key, int length, float[] hidden, int layersDone, ExitPolicy policy, ExitState state) {
        this.key = key;
        this.length = length;
        this.hidden = hidden;
        this.layersDone = layersDone;
        this.policy = policy;
        this.state = state;
    }

    public InFlight traced() {
        trace = new ArrayList<>();
        return this;
    }
}
