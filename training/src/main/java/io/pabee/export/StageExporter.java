package io.pabee.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.pabee.bert.BertEncoder;
import io.pabee.bert.BertParams;
import io.pabee.bert.OnnxBertWeights;
import io.pabee.bert.PaddedBatch;
import io.pabee.headtrain.HeadsInstaller;
import io.pabee.heads.HeadSet;
import io.pabee.lora.LoraAdapters;
import io.pabee.prepare.ModelPreparer;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.Sha256;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.io.file.PathUtils;

/**
 * Writes a tuned encoder into the stage files: the base model's graphs with their initializers replaced
 * (adapters merged into the dense weights), plus the monolithic model, tokenizer, manifest and the task's
 * heads. Before the directory appears under its name it must pass prepare's check (chained stages =
 * monolithic) and match the DJL model it came from; it is built beside the target and moved in at the end,
 * so a failed export leaves no half-written model directory.
 */
public final class StageExporter {
    /** Max abs difference allowed between the exported stages and the DJL model, per layer. */
    public static final double DJL_TOLERANCE = 1e-4;

    static final List<String[]> CHECK = List.of(
            new String[] {"it 's a charming and often affecting journey .", null},
            new String[] {"The cat sat on the mat.", "A cat was sitting on a mat."},
            new String[] {"unflinchingly bleak and desperate", null},
            new String[] {"Naïve café owners in Zürich loved the über-long film!", null},
            new String[] {"a", null});

    private StageExporter() {
    }

    /** What the export verified. */
    public record Result(Path dir, double stagesVsMonolithic, double stagesVsDjl) {
    }

    public static Result export(ModelDirectory base, OnnxBertWeights layout, BertEncoder encoder, HeadSet heads,
                                Path target, Consumer<String> progress) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".export-");
        try {
            Result r = write(base, layout, encoder, heads, tmp, progress);
            Path old = parent.resolve("." + target.getFileName() + ".old");
            deleteTree(old);
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
            return new Result(target, r.stagesVsMonolithic(), r.stagesVsDjl());
        } finally {
            deleteTree(tmp);
        }
    }

    private static Result write(ModelDirectory base, OnnxBertWeights layout, BertEncoder encoder, HeadSet heads,
                                Path out, Consumer<String> progress) throws IOException {
        Map<String, float[]> tuned = tunedValues(layout, encoder);
        Manifest bm = base.manifest();
        Manifest m = new Manifest();
        m.base = bm.base;
        m.baseArtifact = bm.baseArtifact;
        m.baseSha256 = bm.baseSha256;
        m.numLayers = bm.numLayers;
        m.hidden = bm.hidden;
        m.maxPositions = bm.maxPositions;
        m.maxSequenceLength = bm.maxSequenceLength;
        m.dynamicQuantization = bm.dynamicQuantization;
        m.tunedFor = heads.task();
        m.tokenizer = bm.tokenizer;
        Files.copy(base.tokenizer(), out.resolve(bm.tokenizer));
        m.sha256.put(bm.tokenizer, Sha256.of(out.resolve(bm.tokenizer)));

        Map<String, float[]> byInitializer = new HashMap<>();
        Map<Integer, Map<String, float[]>> byStage = new HashMap<>();
        layout.weights().forEach((name, w) -> {
            byInitializer.put(w.initializer(), tuned.get(name));
            byStage.computeIfAbsent(w.stage(), k -> new HashMap<>()).put(w.initializer(), tuned.get(name));
        });
        for (int k = 0; k < bm.stages.size(); k++) {
            String name = bm.stages.get(k);
            rewrite(base.stage(k), byStage.getOrDefault(k, Map.of()), out.resolve(name));
            m.stages.add(name);
            m.sha256.put(name, Sha256.of(out.resolve(name)));
            progress.accept("wrote " + name);
        }
        if (bm.monolithic != null) {
            rewrite(base.path().resolve(bm.monolithic), byInitializer, out.resolve(bm.monolithic));
            m.monolithic = bm.monolithic;
            m.sha256.put(bm.monolithic, Sha256.of(out.resolve(bm.monolithic)));
        }
        m.write(out);

        double vsMono = Double.NaN;
        if (m.monolithic != null) {
            progress.accept("verifying chained stages against the monolithic model");
            vsMono = ModelPreparer.verify(ModelDirectory.open(out), out.resolve(m.monolithic), m.dynamicQuantization);
            if (!(vsMono <= ModelPreparer.DEFAULT_TOLERANCE)) {
                throw new IllegalStateException(String.format("exported stages differ from the exported monolithic model by %.3g", vsMono));
            }
            m.verifiedMaxAbsDiff = vsMono;
            m.write(out);
        }
        progress.accept("verifying the exported stages against the DJL model");
        double vsDjl = compareWithDjl(ModelDirectory.open(out), encoder);
        if (!(vsDjl <= DJL_TOLERANCE)) {
            throw new IllegalStateException(String.format("exported stages differ from the trained DJL model by %.3g (tolerance %.0e)",
                    vsDjl, DJL_TOLERANCE));
        }
        HeadsInstaller.install(out, heads);
        return new Result(out, vsMono, vsDjl);
    }

    /** Every parameter's final value, adapters merged into the dense weights. */
    static Map<String, float[]> tunedValues(OnnxBertWeights layout, BertEncoder encoder) {
        Map<String, float[]> out = new HashMap<>();
        LoraAdapters lora = encoder.lora();
        for (String name : layout.weights().keySet()) {
            out.put(name, encoder.params().get(name).toFloatArray());
        }
        if (lora != null) {
            for (int k = 1; k <= encoder.config().numLayers(); k++) {
                for (String t : lora.targets()) {
                    String w = BertParams.weight(k, t);
                    out.put(w, lora.merged(k, t, encoder.params().get(w)));
                }
            }
        }
        return out;
    }

    private static void rewrite(Path src, Map<String, float[]> values, Path dst) throws IOException {
        ModelProto model = OnnxBertWeights.parse(src);
        GraphProto.Builder g = model.getGraph().toBuilder();
        int replaced = 0;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            float[] v = values.get(t.getName());
            if (v == null) {
                continue;
            }
            long n = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            if (n != v.length) {
                throw new IllegalStateException(src + ": initializer " + t.getName() + " holds " + n + " values, tuned " + v.length);
            }
            ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(v);
            g.setInitializer(i, t.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(bb.array())).build());
            replaced++;
        }
        if (replaced != values.size()) {
            throw new IllegalStateException(src + ": replaced " + replaced + " of " + values.size() + " initializers");
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dst), 1 << 20)) {
            model.toBuilder().setGraph(g).build().writeTo(os);
        }
    }

    /** Max abs difference, every layer, real tokens only, between the exported stages and the DJL encoder. */
    public static double compareWithDjl(ModelDirectory dir, BertEncoder encoder) {
        List<Tokens> batch = new ArrayList<>();
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), dir.manifest().maxSequenceLength)) {
            for (String[] s : CHECK) {
                batch.add(tok.encode(s[0], s[1]));
            }
        }
        int[] lengths = batch.stream().mapToInt(Tokens::length).toArray();
        int hidden = dir.hidden();
        double max = 0;
        try (StagedEncoder onnx = new StagedEncoder(dir, StagedEncoder.Options.cpu());
             NDManager m = encoder.manager().newSubManager()) {
            PaddedBatch pb = PaddedBatch.of(m, batch);
            List<NDArray> djl = encoder.forward(pb.ids(), pb.types(), pb.mask(), false);
            List<float[]> h = onnx.embed(batch);
            for (int k = 0; k <= onnx.numLayers(); k++) {
                if (k > 0) {
                    h = onnx.layer(k, h, lengths);
                }
                float[] d = djl.get(k).toFloatArray();
                for (int r = 0; r < batch.size(); r++) {
                    float[] x = h.get(r);
                    for (int i = 0; i < x.length; i++) {
                        max = Math.max(max, Math.abs(x[i] - d[r * pb.tokens() * hidden + i]));
                    }
                }
            }
        }
        return max;
    }

    /** Removes {@code p} and everything below it, if it exists. */
    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            PathUtils.deleteDirectory(p);
        }
    }
}
