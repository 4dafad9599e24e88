package io.pabee.stage;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.pabee.tokenize.Tokens;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a BERT-style encoder one stage at a time: stage 0 (embeddings) then encoder layers 1..L,
 * on whatever records are handed in. Each call pads only to the longest record of that batch.
 * Thread-safe: ONNX Runtime sessions allow concurrent {@code run}, and the reused direct buffers
 * are per calling thread, so one encoder serves every stream thread and worker of a process.
 */
public final class StagedEncoder implements EncoderStages, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StagedEncoder.class);

    private final OrtEnvironment env;
    private final OrtSession[] sessions;
    private final int numLayers;
    private final int hidden;
    private final boolean stage0HasTypes;
    private final String device;
    // Direct buffers are reused across calls so that the hot path allocates no native memory; one set
    // per calling thread, so concurrent calls never share one (a thread keeps its set while it lives).
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Encoder settings: device, ORT threads, spinning, and which layers to load. */
    public record Options(ExecutionDevice device, int threads, boolean spin, int firstLayer, int lastLayer) {
        public static Options cpu() {
            return new Options(ExecutionDevice.CPU, 0, false, 0, Integer.MAX_VALUE);
        }

        /** Only stages {@code first..last} (0 = embeddings) are loaded: a router with K layers needs no deeper ones. */
        public Options layers(int first, int last) {
            return new Options(device, threads, spin, first, last);
        }

        public Options on(ExecutionDevice d) {
            return new Options(d, threads, spin, firstLayer, lastLayer);
        }
    }

    public StagedEncoder(ModelDirectory model, Options options) {
        this.numLayers = model.numLayers();
        this.hidden = model.hidden();
        this.env = OrtRuntime.environment(options.threads(), options.spin());
        this.sessions = new OrtSession[numLayers + 1];
        int last = Math.min(options.lastLayer(), numLayers);
        try {
            for (int k = Math.max(0, options.firstLayer()); k <= last; k++) {
                sessions[k] = OrtRuntime.open(env, model.stage(k), options.device());
                checkNames(k, sessions[k]);
            }
        } catch (OrtException e) {
            close();
            throw new ModelFileException("cannot load stage model: " + e.getMessage(), e);
        }
        this.stage0HasTypes = sessions[0] != null
                && sessions[0].getInputNames().contains(StageNames.TOKEN_TYPE_IDS);
        this.device = OrtRuntime.effectiveDevice(options.device());
        LOG.info("staged encoder {}: {} layers, hidden {}, stages {}..{} loaded on {}",
                model.manifest().base, numLayers, hidden, Math.max(0, options.firstLayer()), last, device);
    }

    private static void checkNames(int k, OrtSession s) {
        List<String> want = k == 0 ? List.of(StageNames.INPUT_IDS)
                : List.of(StageNames.HIDDEN_IN, StageNames.ATTENTION_MASK);
        if (!s.getInputNames().containsAll(want) || !s.getOutputNames().contains(StageNames.HIDDEN_OUT)) {
            throw new ModelFileException("stage " + k + " has inputs " + s.getInputNames() + " and outputs "
                    + s.getOutputNames() + "; expected " + want + " -> " + StageNames.HIDDEN_OUT);
        }
    }

    @Override
    public int numLayers() {
        return numLayers;
    }

    @Override
    public int hidden() {
        return hidden;
    }

    /** The device the stages run on after any CUDA fallback. */
    public String device() {
        return device;
    }

    /** Stage 0: embeddings for a batch of tokenized records, one hidden array [length][hidden] per record. */
    @Override
    public List<float[]> embed(List<Tokens> batch) {
        int b = batch.size();
        int t = 0;
        for (Tokens x : batch) {
            t = Math.max(t, x.length());
        }
        Scratch sc = scratch.get();
        LongBuffer ids = sc.longs(1, b * t);
        LongBuffer types = sc.longs(2, b * t);
        for (Tokens x : batch) {
            ids.put(x.ids());
            types.put(x.typeIds());
            for (int i = x.length(); i < t; i++) {
                ids.put(0L);
                types.put(0L);
            }
        }
        ids.flip();
        types.flip();
        long[] shape = {b, t};
        try (OnnxTensor idT = OnnxTensor.createTensor(env, ids, shape);
             OnnxTensor typeT = OnnxTensor.createTensor(env, types, shape)) {
            Map<String, OnnxTensor> in = stage0HasTypes
                    ? Map.of(StageNames.INPUT_IDS, idT, StageNames.TOKEN_TYPE_IDS, typeT)
                    : Map.of(StageNames.INPUT_IDS, idT);
            int[] lengths = batch.stream().mapToInt(Tokens::length).toArray();
            return run(sc, stage(0), in, lengths, t, null);
        } catch (OrtException e) {
            throw new IllegalStateException("embedding stage failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs encoder layer {@code layer} (1-based) over records whose hidden arrays hold the previous
     * layer's output, and overwrites those arrays with this layer's output (records keep their
     * arrays, so the hot path allocates nothing); returns the same list.
     */
    @Override
    public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
        int b = hiddens.size();
        int t = 0;
        for (int n : lengths) {
            t = Math.max(t, n);
        }
        Scratch sc = scratch.get();
        FloatBuffer h = sc.floats(b * t * hidden);
        LongBuffer mask = sc.longs(1, b * t);
        for (int r = 0; r < b; r++) {
            float[] x = hiddens.get(r);
            if (x.length != lengths[r] * hidden) {
                throw new IllegalArgumentException("record " + r + ": hidden state has " + x.length
                        + " values, expected " + lengths[r] + " tokens x " + hidden);
            }
            h.put(x);
            // padded positions are masked out of attention; zeros keep every call deterministic
            h.put(sc.zeros(t - lengths[r]), 0, (t - lengths[r]) * hidden);
            for (int i = 0; i < t; i++) {
                mask.put(i < lengths[r] ? 1L : 0L);
            }
        }
        h.flip();
        mask.flip();
        try (OnnxTensor hT = OnnxTensor.createTensor(env, h, new long[] {b, t, hidden});
             OnnxTensor mT = OnnxTensor.createTensor(env, mask, new long[] {b, t})) {
            return run(sc, stage(layer), Map.of(StageNames.HIDDEN_IN, hT, StageNames.ATTENTION_MASK, mT), lengths, t,
                    hiddens);
        } catch (OrtException e) {
            throw new IllegalStateException("layer " + layer + " failed: " + e.getMessage(), e);
        }
    }

    private OrtSession stage(int k) {
        if (k < 0 || k > numLayers || sessions[k] == null) {
            throw new IllegalStateException("stage " + k + " is not loaded in this encoder");
        }
        return sessions[k];
    }

    /**
     * Runs a stage with its output written straight into a reused direct buffer (a pinned output),
     * then copies each record's real tokens into {@code into} (or new arrays when null).
     */
    private List<float[]> run(Scratch sc, OrtSession s, Map<String, OnnxTensor> in, int[] lengths, int t,
                              List<float[]> into) throws OrtException {
        int b = lengths.length;
        FloatBuffer ob = sc.outFloats(b * t * hidden);
        try (OnnxTensor outT = OnnxTensor.createTensor(env, ob, new long[] {b, t, hidden});
             OrtSession.Result r = s.run(in, Map.of(StageNames.HIDDEN_OUT, outT))) {
            List<float[]> res = into != null ? into : new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                float[] x = into != null ? into.get(i) : new float[lengths[i] * hidden];
                ob.get(i * t * hidden, x);
                if (into == null) {
                    res.add(x);
                }
            }
            return res;
        }
    }

    /** One thread's reusable input and output buffers. */
    private final class Scratch {
        private FloatBuffer hiddenBuf = FloatBuffer.allocate(0);
        private LongBuffer longBuf = LongBuffer.allocate(0);
        private LongBuffer longBuf2 = LongBuffer.allocate(0);
        private float[] zeroRows = new float[0];
        private FloatBuffer outBuf = FloatBuffer.allocate(0);

        private FloatBuffer outFloats(int n) {
            if (outBuf.capacity() < n) {
                outBuf = ByteBuffer.allocateDirect(Math.max(n, outBuf.capacity() * 2) * 4)
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
            outBuf.clear();
            outBuf.limit(n);
            return outBuf;
        }

        private FloatBuffer floats(int n) {
            if (hiddenBuf.capacity() < n) {
                hiddenBuf = ByteBuffer.allocateDirect(Math.max(n, hiddenBuf.capacity() * 2) * 4)
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
            hiddenBuf.clear();
            return hiddenBuf;
        }

        private float[] zeros(int tokens) {
            if (zeroRows.length < tokens * hidden) {
                zeroRows = new float[tokens * hidden];
            }
            return zeroRows;
        }

        private LongBuffer longs(int which, int n) {
            LongBuffer b = which == 1 ? longBuf : longBuf2;
            if (b.capacity() < n) {
                b = ByteBuffer.allocateDirect(Math.max(n, b.capacity() * 2) * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
                if (which == 1) {
                    longBuf = b;
                } else {
                    longBuf2 = b;
                }
            }
            b.clear();
            return b;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < sessions.length; i++) {
            if (sessions[i] != null) {
                try {
                    sessions[i].close();
                } catch (OrtException e) {
                    LOG.warn("closing stage {}: {}", i, e.getMessage());
                }
                sessions[i] = null;
            }
        }
    }
}
