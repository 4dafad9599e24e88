package io.pabee.bert;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import io.pabee.stage.ModelDirectory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights and constants of a prepared model's stage files, found through the graph's node names
 * ({@code /encoder/layer.N/attention/self/query/MatMul} → its weight input), never by initializer order:
 * PyTorch exports name most matrices {@code onnx::MatMul_1525}.
 */
public final class OnnxBertWeights {
    /** One weight: where it lives (stage index, initializer name) and its values. */
    public record Weight(int stage, String initializer, long[] shape, float[] values) {
    }

    private final BertConfig config;
    private final Map<String, Weight> weights;

    private OnnxBertWeights(BertConfig config, Map<String, Weight> weights) {
        this.config = config;
        this.weights = weights;
    }

    public BertConfig config() {
        return config;
    }

    /** Parameter name (see {@link BertParams}) → weight, in a stable order. */
    public Map<String, Weight> weights() {
        return weights;
    }

    public static OnnxBertWeights load(ModelDirectory dir) {
        int layers = dir.numLayers();
        Map<String, Weight> out = new LinkedHashMap<>();
        GraphProto g0 = parse(dir.stage(0)).getGraph();
        Graph s0 = new Graph(g0, 0);
        out.put(BertParams.WORD, s0.initializerInput("/embeddings/word_embeddings/Gather", 0));
        out.put(BertParams.POSITION, s0.initializerInput("/embeddings/position_embeddings/Gather", 0));
        boolean types = s0.hasNode("/embeddings/token_type_embeddings/Gather");
        if (types) {
            out.put(BertParams.TYPE, s0.initializerInput("/embeddings/token_type_embeddings/Gather", 0));
        }
        out.put(BertParams.EMB_LN_GAMMA, s0.initializerOf("/embeddings/LayerNorm/Mul"));
        out.put(BertParams.EMB_LN_BETA, s0.initializerOf("/embeddings/LayerNorm/Add_1"));
        float eps = s0.constantOf("/embeddings/LayerNorm/Add");
        float maskFill = Float.NaN;
        float scale = Float.NaN;
        int heads = -1;
        for (int k = 1; k <= layers; k++) {
            Graph s = new Graph(parse(dir.stage(k)).getGraph(), k);
            String p = "/encoder/layer." + (k - 1);
            for (String[] lin : new String[][] {
                    {BertParams.QUERY, p + "/attention/self/query"}, {BertParams.KEY, p + "/attention/self/key"},
                    {BertParams.VALUE, p + "/attention/self/value"}, {BertParams.ATTN_OUT, p + "/attention/output/dense"},
                    {BertParams.INTERMEDIATE, p + "/intermediate/dense"}, {BertParams.OUTPUT, p + "/output/dense"}}) {
                out.put(BertParams.weight(k, lin[0]), s.initializerInput(lin[1] + "/MatMul", 1));
                out.put(BertParams.bias(k, lin[0]), s.initializerOf(lin[1] + "/Add"));
            }
            for (String[] ln : new String[][] {
                    {BertParams.ATTN_LN, p + "/attention/output/LayerNorm"}, {BertParams.OUT_LN, p + "/output/LayerNorm"}}) {
                out.put(BertParams.gamma(k, ln[0]), s.initializerOf(ln[1] + "/Mul"));
                out.put(BertParams.beta(k, ln[0]), s.initializerOf(ln[1] + "/Add_1"));
                requireSame("layer-norm epsilon", eps, s.constantOf(ln[1] + "/Add"));
            }
            // the graph's GELU is x * (1 + erf(x / sqrt 2)) * 0.5; a tanh approximation would not match
            if (!s.hasNode(p + "/intermediate/intermediate_act_fn/Erf")) {
                throw new IllegalStateException("stage " + k + ": no erf-based GELU node " + p
                        + "/intermediate/intermediate_act_fn/Erf; this encoder's activation is not supported");
            }
            float sc = s.constantOf(p + "/attention/self/Div");
            scale = Float.isNaN(scale) ? sc : requireSame("attention scale", scale, sc);
            // the additive mask: (1 - mask) * fill, added to the scaled scores
            float fill = s.constantOf(s.producerOf(s.node(p + "/attention/self/Add").getInput(1)).getName());
            maskFill = Float.isNaN(maskFill) ? fill : requireSame("attention mask fill", maskFill, fill);
            int h = (int) s.longConstant(s.node(p + "/attention/self/Concat").getInput(2));
            heads = heads < 0 ? h : (int) requireSame("attention heads", heads, h);
        }
        int hidden = (int) out.get(BertParams.WORD).shape()[1];
        int ffn = (int) out.get(BertParams.weight(1, BertParams.INTERMEDIATE)).shape()[1];
        BertConfig cfg = new BertConfig(layers, hidden, heads, ffn, eps, scale, maskFill, types);
        if (Math.abs(scale * scale - (float) hidden / heads) > 1e-3) {
            throw new IllegalStateException("attention scale " + scale + " is not sqrt(" + hidden + "/" + heads + ")");
        }
        return new OnnxBertWeights(cfg, out);
    }

    private static float requireSame(String what, float a, float b) {
        if (a != b) {
            throw new IllegalStateException(what + " differs between stages: " + a + " vs " + b);
        }
        return a;
    }

    /** Parses an ONNX file (protobuf's 64 MB default limit is smaller than an embedding stage). */
    public static ModelProto parse(Path onnx) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(onnx), 1 << 20)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            return ModelProto.parseFrom(cis);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + onnx + ": " + e.getMessage(), e);
        }
    }

    /** Float values of an initializer (raw little-endian data or the float_data field). */
    public static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalStateException("initializer " + t.getName() + " is not float32 (type " + t.getDataType() + ")");
        }
        if (!t.getRawData().isEmpty()) {
            float[] v = new float[t.getRawData().size() / 4];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    /** One stage graph indexed by node name, output and initializer name. */
    private static final class Graph {
        private final int stage;
        private final Map<String, NodeProto> byName = new HashMap<>();
        private final Map<String, NodeProto> byOutput = new HashMap<>();
        private final Map<String, TensorProto> initializers = new HashMap<>();

        Graph(GraphProto g, int stage) {
            this.stage = stage;
            for (NodeProto n : g.getNodeList()) {
                byName.put(n.getName(), n);
                n.getOutputList().forEach(o -> byOutput.put(o, n));
            }
            g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        }

        boolean hasNode(String name) {
            return byName.containsKey(name);
        }

        NodeProto node(String name) {
            NodeProto n = byName.get(name);
            if (n == null) {
                throw new IllegalStateException("stage " + stage + " has no node '" + name + "'; not a BERT export this trainer knows");
            }
            return n;
        }

        NodeProto producerOf(String tensor) {
            NodeProto n = byOutput.get(tensor);
            if (n == null) {
                throw new IllegalStateException("stage " + stage + ": tensor '" + tensor + "' has no producer");
            }
            return n;
        }

        Weight initializerInput(String nodeName, int input) {
            String name = node(nodeName).getInput(input);
            TensorProto t = initializers.get(name);
            if (t == null) {
                throw new IllegalStateException("stage " + stage + ": input " + input + " of " + nodeName + " ('" + name
                        + "') is not an initializer");
            }
            return new Weight(stage, name, t.getDimsList().stream().mapToLong(Long::longValue).toArray(), floats(t));
        }

        /** The single initializer among a node's inputs (a bias Add, a layer-norm Mul). */
        Weight initializerOf(String nodeName) {
            List<Integer> found = new ArrayList<>();
            NodeProto n = node(nodeName);
            for (int i = 0; i < n.getInputCount(); i++) {
                if (initializers.containsKey(n.getInput(i))) {
                    found.add(i);
                }
            }
            if (found.size() != 1) {
                throw new IllegalStateException("stage " + stage + ": node " + nodeName + " has " + found.size()
                        + " initializer inputs, expected 1");
            }
            return initializerInput(nodeName, found.get(0));
        }

        /** The float value of the Constant node feeding the node's second input. */
        float constantOf(String nodeName) {
            TensorProto t = constantTensor(node(nodeName).getInput(1));
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new IllegalStateException("stage " + stage + ": constant of " + nodeName + " is not float32");
            }
            return t.getRawData().isEmpty() ? t.getFloatData(0) : b.getFloat(0);
        }

        long longConstant(String tensor) {
            TensorProto t = constantTensor(tensor);
            return t.getRawData().isEmpty() ? t.getInt64Data(0)
                    : t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        }

        private TensorProto constantTensor(String tensor) {
            NodeProto c = producerOf(tensor);
            if (!c.getOpType().equals("Constant") || c.getAttributeCount() == 0 || !c.getAttribute(0).hasT()) {
                throw new IllegalStateException("stage " + stage + ": tensor '" + tensor + "' is not a Constant");
            }
            return c.getAttribute(0).getT();
        }
    }
}
