package io.pabee.prepare;

import ai.onnx.proto.OnnxMl.GraphProto;
import io.pabee.stage.StageNames;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a monolithic BERT-style ONNX graph (as exported by PyTorch) into stage 0 (embeddings) and
 * one stage per encoder layer. Weight initializers have anonymous names, so stages are found by
 * data flow: each stage holds exactly the nodes needed to compute its boundary tensor from the
 * previous boundary (plus the attention mask, whose additive form each stage recomputes).
 */
public final class StageSplitter {
    private static final String EMBEDDINGS_BOUNDARY_NODE = "/embeddings/LayerNorm/Add_1";
    private static final Pattern LAYER_BOUNDARY_NODE = Pattern.compile("/encoder/layer\\.(\\d+)/output/LayerNorm/Add_1");

    private StageSplitter() {
    }

    /** The stages and the facts read off the graph. */
    public record Split(List<ModelProto> stages, int numLayers, int hidden) {
    }

    public static Split split(ModelProto full) {
        GraphProto g = full.getGraph();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String out : g.getNode(i).getOutputList()) {
                producer.put(out, i);
            }
        }
        List<String> boundaries = boundaries(g);
        int numLayers = boundaries.size() - 1;
        int hidden = hiddenSize(g);
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        Map<String, ValueInfoProto> graphInputs = new HashMap<>();
        for (ValueInfoProto v : g.getInputList()) {
            graphInputs.put(v.getName(), v);
        }
        Map<String, ValueInfoProto> valueInfo = new HashMap<>();
        for (ValueInfoProto v : g.getValueInfoList()) {
            valueInfo.put(v.getName(), v);
        }

        List<ModelProto> stages = new ArrayList<>();
        for (int k = 0; k <= numLayers; k++) {
            String target = boundaries.get(k);
            String stop = k == 0 ? null : boundaries.get(k - 1);
            Set<Integer> nodes = new HashSet<>();
            Set<String> usedInitializers = new LinkedHashSet<>();
            Set<String> usedInputs = new LinkedHashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(target));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String t = todo.pop();
                if (t.isEmpty() || !seen.add(t) || t.equals(stop)) {
                    continue;
                }
                if (initializers.containsKey(t)) {
                    usedInitializers.add(t);
                } else if (graphInputs.containsKey(t)) {
                    usedInputs.add(t);
                } else {
                    Integer n = producer.get(t);
                    if (n == null) {
                        throw new IllegalStateException("tensor '" + t + "' has no producer in the graph");
                    }
                    if (nodes.add(n)) {
                        g.getNode(n).getInputList().forEach(todo::push);
                    }
                }
            }
            Set<String> allowed = k == 0 ? Set.of(StageNames.INPUT_IDS, StageNames.TOKEN_TYPE_IDS) : Set.of(StageNames.ATTENTION_MASK);
            for (String in : usedInputs) {
                if (!allowed.contains(in)) {
                    throw new IllegalStateException("stage " + k + " depends on graph input '" + in
                            + "', which a staged model cannot feed; is this a BERT-style export?");
                }
            }

            GraphProto.Builder sg = GraphProto.newBuilder().setName("pabee-stage-" + k);
            if (k == 0) {
                for (String in : List.of(StageNames.INPUT_IDS, StageNames.TOKEN_TYPE_IDS)) {
                    if (usedInputs.contains(in)) {
                        sg.addInput(graphInputs.get(in));
                    }
                }
            } else {
                sg.addInput(floatHidden(StageNames.HIDDEN_IN, hidden));
                sg.addInput(graphInputs.get(StageNames.ATTENTION_MASK));
                sg.addNode(identity(StageNames.HIDDEN_IN, stop, "pabee/hidden_in"));
            }
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (nodes.contains(i)) {
                    NodeProto node = g.getNode(i);
                    sg.addNode(node);
                    for (String out : node.getOutputList()) {
                        ValueInfoProto vi = valueInfo.get(out);
                        if (vi != null) {
                            sg.addValueInfo(vi);
                        }
                    }
                }
            }
            sg.addNode(identity(target, StageNames.HIDDEN_OUT, "pabee/hidden_out"));
            sg.addOutput(floatHidden(StageNames.HIDDEN_OUT, hidden));
            for (String name : usedInitializers) {
                sg.addInitializer(initializers.get(name));
            }
            stages.add(ModelProto.newBuilder()
                    .setIrVersion(full.getIrVersion())
                    .addAllOpsetImport(full.getOpsetImportList())
                    .setProducerName("pabee-streams prepare")
                    .setDocString("stage " + k + " of " + numLayers + " cut from " + full.getProducerName() + " export")
                    .setGraph(sg)
                    .build());
        }
        return new Split(stages, numLayers, hidden);
    }

    /** Boundary tensor names: index 0 = embeddings output, index N = encoder layer N's output. */
    static List<String> boundaries(GraphProto g) {
        String embeddings = null;
        Map<Integer, String> layers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getName().equals(EMBEDDINGS_BOUNDARY_NODE)) {
                embeddings = n.getOutput(0);
            }
            Matcher m = LAYER_BOUNDARY_NODE.matcher(n.getName());
            if (m.matches()) {
                layers.put(Integer.parseInt(m.group(1)), n.getOutput(0));
            }
        }
        if (embeddings == null || layers.isEmpty()) {
            throw new IllegalStateException("no BERT layer boundaries found (expected nodes '" + EMBEDDINGS_BOUNDARY_NODE
                    + "' and '/encoder/layer.N/output/LayerNorm/Add_1')");
        }
        List<String> out = new ArrayList<>();
        out.add(embeddings);
        for (int i = 0; i < layers.size(); i++) {
            String b = layers.get(i);
            if (b == null) {
                throw new IllegalStateException("encoder layer " + i + " boundary missing; found layers " + layers.keySet());
            }
            out.add(b);
        }
        return out;
    }

    private static int hiddenSize(GraphProto g) {
        for (ValueInfoProto out : g.getOutputList()) {
            TensorShapeProto shape = out.getType().getTensorType().getShape();
            if (shape.getDimCount() == 3 && shape.getDim(2).hasDimValue()) {
                return (int) shape.getDim(2).getDimValue();
            }
        }
        throw new IllegalStateException("cannot read the hidden size from the graph outputs " + g.getOutputList());
    }

    private static NodeProto identity(String in, String out, String name) {
        return NodeProto.newBuilder().setOpType("Identity").setName(name).addInput(in).addOutput(out).build();
    }

    private static ValueInfoProto floatHidden(String name, int hidden) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(hidden))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }
}
