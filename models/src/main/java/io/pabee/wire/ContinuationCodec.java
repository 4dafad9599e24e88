package io.pabee.wire;

import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.patience.Prediction;
import io.pabee.schema.Classification;
import io.pabee.schema.HiddenEncoding;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowOf;
import io.pabee.serde.BadRecordException;
import io.pabee.stage.HiddenCodec;
import io.pabee.stage.InFlight;
import io.pabee.stage.LayerModel;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Builds and reads {@code LayerState} continuations: a record's hidden state (fp16 or fp32), its
 * exit policy with parameters and its exit counters, so another process resumes it exactly where
 * it stopped. The router writes them, the worker reads them; benchmarks and tests use the same codec.
 */
public final class ContinuationCodec {
    private final LayerModel model;
    private final boolean fp16;
    private final int routerLayers;

    /** A codec for {@code model}; {@code fp16} and {@code routerLayers} matter only to {@link #build}. */
    public ContinuationCodec(LayerModel model, boolean fp16, int routerLayers) {
        this.model = model;
        this.fp16 = fp16;
        this.routerLayers = routerLayers;
    }

    /** A codec that only reads (a worker's). */
    public static ContinuationCodec reader(LayerModel model) {
        return new ContinuationCodec(model, false, 0);
    }

    /** The continuation of record {@code id}, which stopped after {@code r.layersDone} layers without exiting. */
    public LayerState build(String id, InFlight r, long eventTime, Map<String, String> metadata, long enqueueTime) {
        PatiencePolicy p = WirePolicy.onWire(r.policy);
        return resumeAt(r, p, id, eventTime, metadata, enqueueTime)
                .setPatience(p.patience())
                .setPatienceConfigured(r.patienceConfigured >= 0 ? r.patienceConfigured : p.patience())
                .setLoweredReason(r.loweredReason)
                .build();
    }

    /** What every continuation of {@code r} carries: who it is, where it stands and its hidden state. */
    private LayerState.Builder resumeAt(InFlight r, PatiencePolicy p, String id, long eventTime, Map<String, String> metadata,
                                        long enqueueTime) {
        return LayerState.newBuilder()
                .setId(id)
                .setEventTime(eventTime)
                .setMetadata(metadata)
                .setTruncated(r.truncated)
                .setModelId(model.modelId())
                .setModelVersion(model.modelVersion())
                .setTask(model.task())
                .setPolicy(p.name())
                .setThreshold(p.threshold())
                .setNextLayer(r.layersDone + 1)
                .setCounter(r.state.counter)
                .setPreviousLabel(r.state.previousLabel)
                .setPreviousScore(r.state.previousScore)
                .setHidden(ByteBuffer.wrap(HiddenCodec.encode(r.hidden, fp16)))
                .setHiddenEncoding(fp16 ? HiddenEncoding.FP16 : HiddenEncoding.FP32)
                .setTokenCount(r.length)
                .setHiddenSize(model.hidden())
                .setEnqueueTime(enqueueTime)
                .setRouterLayers(r.routerLayers >= 0 ? r.routerLayers : routerLayers);
    }

    /**
     * The shadow continuation of {@code r}, which exited early (after {@code r.layersDone} &lt; L layers)
     * with the result {@code early} and was sampled: its hidden state after the exit layer, to be run on
     * at full depth (patience 0) by a worker, which compares the last layer's answer with {@code early}.
     * The early answer, site, patience used (the result's, else the record's policy) and lowering reason
     * travel in {@code shadow}.
     */
    public LayerState shadow(InFlight r, Classification early, Map<String, String> metadata) {
        if (r.layersDone >= model.numLayers()) {
            throw new IllegalArgumentException("a record that exited at the last layer has no shadow run");
        }
        PatiencePolicy p = WirePolicy.onWire(r.policy);
        Prediction answer = r.policy.predict(r.state, r.last);
        ShadowOf of = ShadowOf.newBuilder()
                .setEarlyLabel(answer.label())
                .setEarlyScore(Float.isNaN(answer.score()) ? null : answer.score())
                .setEarlyExitLayer(r.layersDone)
                .setEarlySite(early.getExitedAt())
                .setPatienceUsed(early.getPatienceUsed() != null ? early.getPatienceUsed() : p.patience())
                .setLoweredReason(early.getLoweredReason())
                .build();
        // the threshold stays the record's: the regression agreement rule compares within it
        return resumeAt(r, p, early.getId(), early.getEventTime(), metadata, early.getEnqueueTime())
                .setPatience(0) // full depth: the shadow run answers as the last layer does
                .setPatienceConfigured(early.getPatienceConfigured())
                .setShadow(of)
                .build();
    }

    /**
     * The in-flight record a continuation resumes as, keyed by {@code key}. A continuation of another
     * model version, an impossible layer or hidden size, a policy that does not travel or a hidden
     * state of the wrong length is a {@link BadRecordException} with the reason to dead-letter it under.
     * A shadow continuation ({@code shadow} set) resumes with patience 0, so it runs to the last layer.
     */
    public InFlight read(LayerState s, Object key) {
        if (!s.getModelVersion().equals(model.modelVersion())) {
            throw new BadRecordException("model-mismatch", "continuation is for model " + s.getModelVersion()
                    + ", this worker runs " + model.modelVersion());
        }
        if (s.getHiddenSize() != model.hidden() || s.getNextLayer() < 1 || s.getNextLayer() > model.numLayers()) {
            throw new BadRecordException("invalid-state", "hidden size " + s.getHiddenSize() + ", next layer "
                    + s.getNextLayer());
        }
        if (!WirePolicy.PATIENCE.equals(s.getPolicy())) {
            throw new BadRecordException("invalid-state", "policy " + s.getPolicy() + " does not travel in a continuation");
        }
        byte[] hb = new byte[s.getHidden().remaining()];
        s.getHidden().duplicate().get(hb);
        float[] hidden;
        PatiencePolicy policy;
        try {
            hidden = HiddenCodec.decode(hb, s.getHiddenEncoding() == HiddenEncoding.FP16,
                    s.getTokenCount() * s.getHiddenSize());
            // a shadow run always goes to full depth, whatever patience it carries
            int patience = s.getShadow() != null ? 0 : s.getPatience();
            policy = WirePolicy.patience(patience, s.getThreshold(), model.regression());
        } catch (IllegalArgumentException e) {
            throw new BadRecordException("invalid-state", e.getMessage(), e);
        }
        ExitState st = ExitState.resume(s.getNextLayer() - 1, s.getCounter(), s.getPreviousLabel(), s.getPreviousScore());
        InFlight r = new InFlight(key, s.getTokenCount(), hidden, s.getNextLayer() - 1, policy, st);
        r.truncated = s.getTruncated();
        r.patienceConfigured = s.getPatienceConfigured() != null ? s.getPatienceConfigured() : s.getPatience();
        r.loweredReason = s.getLoweredReason();
        r.routerLayers = s.getRouterLayers();
        return r;
    }
}
