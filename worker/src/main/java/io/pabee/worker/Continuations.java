package io.pabee.worker;

import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.HiddenEncoding;
import io.pabee.schema.LayerState;
import io.pabee.stage.HiddenCodec;
import io.pabee.stage.InFlight;
import java.nio.ByteBuffer;
import java.util.Map;

/** Builds the {@code LayerState} of a record that stopped after some layers (benchmarks and tests play the router with it). */
public final class Continuations {
    private Continuations() {
    }

    public static LayerState of(String id, InFlight r, long eventTime, Map<String, String> metadata, String modelId,
                                String modelVersion, String task, int hiddenSize, boolean fp16, int routerLayers) {
        PatiencePolicy p = (PatiencePolicy) r.policy;
        return LayerState.newBuilder().setId(id).setEventTime(eventTime).setMetadata(metadata).setTruncated(r.truncated)
                .setModelId(modelId).setModelVersion(modelVersion).setTask(task).setPolicy(p.name())
                .setPatience(p.patience()).setThreshold(p.threshold()).setNextLayer(r.layersDone + 1)
                .setCounter(r.state.counter).setPreviousLabel(r.state.previousLabel).setPreviousScore(r.state.previousScore)
                .setHidden(ByteBuffer.wrap(HiddenCodec.encode(r.hidden, fp16)))
                .setHiddenEncoding(fp16 ? HiddenEncoding.FP16 : HiddenEncoding.FP32).setTokenCount(r.length)
                .setHiddenSize(hiddenSize).setEnqueueTime(System.currentTimeMillis()).setRouterLayers(routerLayers).build();
    }
}
