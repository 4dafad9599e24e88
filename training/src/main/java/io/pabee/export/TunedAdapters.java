package io.pabee.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pabee.adaptive.PatienceProfile;
import io.pabee.bert.BertEncoder;
import io.pabee.bert.OnnxBertWeights;
import io.pabee.heads.HeadSet;
import io.pabee.lora.LoraAdapters;
import io.pabee.stage.Manifest;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.Sha256;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The shipped form of a task's fine-tuning: its LoRA adapters (float16) and heads, with a {@code tuned.json}
 * naming the base model they were trained on and the sha256 of each file. A few MB per task instead of a
 * 130 MB encoder; {@link #prepare} merges them into the base stages. An optional {@code <task>.patience.json}
 * ({@code pabee models profile --export}) is the tuned model's {@link PatienceProfile}, installed beside its heads.
 */
public final class TunedAdapters {
    public static final String DESCRIPTOR = "tuned.json";
    public static final String ADAPTERS = "adapters.ndlist";
    public static final String HEADS = "heads.json";
    /** Classpath folder of the shipped adapters: {@code tuned/<base>/<task slug>/}. */
    public static final String SHIPPED = "tuned";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TunedAdapters() {
    }

    /** {@code tuned.json}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Descriptor {
        public int formatVersion = 1;
        public String task;
        /** Base model id and the sha256 of its ONNX file, as in the base manifest. */
        public String base;
        public String baseSha256;
        public int rank;
        public float alpha;
        public List<String> targets = new ArrayList<>();
        /** File name → sha256 of the adapters and heads files. */
        public Map<String, String> sha256 = new LinkedHashMap<>();
        public Map<String, Object> training = new LinkedHashMap<>();
    }

    /** Rounds the adapters to float16 in place, so the model that is exported and verified is the one shipped. */
    public static void roundToHalf(LoraAdapters lora) {
        for (NDArray a : lora.arrays().values()) {
            try (NDManager tmp = a.getManager().newSubManager()) {
                NDArray half = a.toType(DataType.FLOAT16, true);
                half.attach(tmp);
                NDArray back = half.toType(DataType.FLOAT32, true);
                back.attach(tmp);
                a.set(back.toFloatArray());
            }
        }
    }

    public static void write(Path dir, Manifest base, String task, LoraAdapters lora, HeadSet heads,
                             Map<String, Object> training) throws IOException {
        Files.createDirectories(dir);
        NDList list = new NDList();
        try (NDManager tmp = NDManager.newBaseManager()) {
            lora.arrays().forEach((name, a) -> {
                NDArray h = a.toType(DataType.FLOAT16, true);
                h.attach(tmp);
                h.setName(name);
                list.add(h);
            });
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dir.resolve(ADAPTERS)))) {
                list.encode(os);
            }
        }
        heads.write(dir.resolve(HEADS));
        Files.deleteIfExists(profile(dir, task)); // it measured the heads and adapters this set no longer has
        Descriptor d = new Descriptor();
        d.task = task;
        d.base = base.base;
        d.baseSha256 = base.baseSha256;
        d.rank = lora.rank();
        d.alpha = lora.alpha();
        d.targets = lora.targets();
        d.sha256.put(ADAPTERS, Sha256.of(dir.resolve(ADAPTERS)));
        d.sha256.put(HEADS, Sha256.of(dir.resolve(HEADS)));
        d.training = training;
        JSON.writeValue(dir.resolve(DESCRIPTOR).toFile(), d);
    }

    /**
     * Replaces the heads of the adapter set in {@code dir} (e.g. heads refit by {@code train-heads} on the tuned
     * encoder), with the descriptor's sha256 and a note of where they came from, so {@link #prepare} accepts them.
     */
    public static void replaceHeads(Path dir, HeadSet heads, String how) throws IOException {
        Descriptor d = descriptor(dir);
        if (!d.task.equals(heads.task())) {
            throw new IllegalArgumentException("heads for task " + heads.task() + " cannot replace the " + d.task + " heads in " + dir);
        }
        heads.write(dir.resolve(HEADS));
        Files.deleteIfExists(profile(dir, d.task)); // it measured the replaced heads
        d.sha256.put(HEADS, Sha256.of(dir.resolve(HEADS)));
        d.training.put("heads", how);
        JSON.writeValue(dir.resolve(DESCRIPTOR).toFile(), d);
    }

    /** The patience profile file of {@code task} in an adapter set: {@code <task>.patience.json} beside heads.json. */
    public static Path profile(Path dir, String task) {
        return dir.resolve(task + PatienceProfile.SUFFIX);
    }

    /** Whether {@code dir} holds an adapter set ({@code tuned.json}). */
    public static boolean isAdapterSet(Path dir) {
        return Files.isRegularFile(dir.resolve(DESCRIPTOR));
    }

    public static Descriptor descriptor(Path dir) throws IOException {
        Path f = dir.resolve(DESCRIPTOR);
        if (!Files.isRegularFile(f)) {
            throw new IOException("no " + DESCRIPTOR + " in " + dir);
        }
        try {
            return JSON.readValue(f.toFile(), Descriptor.class);
        } catch (IOException e) {
            throw new IOException("cannot parse " + f + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /**
     * Merges the adapters in {@code dir} into {@code base}'s stages and writes a prepared model directory at
     * {@code target} with the task's heads, verified like {@link StageExporter#export}, and the set's patience profile
     * where it has one. Refuses (one line) files whose sha256 differs from the descriptor and adapters made for
     * another base model.
     */
    public static StageExporter.Result prepare(ModelDirectory base, Path dir, Path target, Consumer<String> progress)
            throws IOException {
        Descriptor d = descriptor(dir);
        for (String f : List.of(ADAPTERS, HEADS)) {
            String want = d.sha256.get(f);
            String have = Files.isRegularFile(dir.resolve(f)) ? Sha256.of(dir.resolve(f)) : "missing";
            if (!have.equals(want)) {
                throw new IllegalArgumentException("adapter file " + dir.resolve(f) + " does not match its sha256 in "
                        + DESCRIPTOR + " (expected " + abbrev(want) + ", found " + abbrev(have) + ")");
            }
        }
        Manifest bm = base.manifest();
        if (!bm.base.equals(d.base) || !bm.baseSha256.equals(d.baseSha256)) {
            throw new IllegalArgumentException("adapters in " + dir + " were made for base model " + d.base + " ("
                    + abbrev(d.baseSha256) + "), not " + bm.base + " (" + abbrev(bm.baseSha256) + ")");
        }
        if (bm.tunedFor != null) {
            throw new IllegalArgumentException(base.path() + " is already tuned for " + bm.tunedFor + "; merge into the stock base model");
        }
        HeadSet heads = HeadSet.read(dir.resolve(HEADS));
        OnnxBertWeights layout = OnnxBertWeights.load(base);
        try (NDManager m = NDManager.newBaseManager();
             BertEncoder enc = BertEncoder.of(m, layout)) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(ADAPTERS)))) {
                for (NDArray a : NDList.decode(enc.manager(), in)) {
                    NDArray f = a.toType(DataType.FLOAT32, true);
                    f.setName(a.getName());
                    arrays.put(a.getName(), f);
                }
            }
            LoraAdapters lora = LoraAdapters.of(d.rank, d.alpha, d.targets, arrays);
            lora.check(layout.config().numLayers());
            enc.setLora(lora);
            progress.accept("merging " + d.task + " adapters (rank " + d.rank + ") into " + bm.base);
            StageExporter.Result r = StageExporter.export(base, layout, enc, heads, target, progress);
            installProfile(dir, d.task, target, progress);
            return r;
        }
    }

    /** Copies the set's patience profile into the prepared model's heads/, saying so when it measured another model. */
    private static void installProfile(Path dir, String task, Path target, Consumer<String> progress) throws IOException {
        Path src = profile(dir, task);
        if (!Files.isRegularFile(src)) {
            return;
        }
        PatienceProfile p = PatienceProfile.read(src);
        Files.copy(src, PatienceProfile.file(target, task), StandardCopyOption.REPLACE_EXISTING);
        String version = ModelDirectory.open(target).version(task);
        progress.accept(version.equals(p.modelVersion())
                ? "installed the " + task + " patience profile (" + p.split() + ", " + p.rows().size() + " patience settings)"
                : "installed the " + task + " patience profile, measured on " + p.modelVersion() + ", not this model's "
                        + version + ": rerun `pabee models profile --task " + task + "`");
    }

    /** Whether adapters for {@code slug} on {@code base} ship with this build ({@code tuned/<base>/<slug>/}). */
    public static boolean isShipped(String base, String slug) {
        return TunedAdapters.class.getClassLoader().getResource(SHIPPED + "/" + base + "/" + slug + "/" + DESCRIPTOR) != null;
    }

    /** Copies a shipped adapter set from the classpath ({@code tuned/<base>/<slug>/}) into {@code dir}; false if none. */
    public static boolean copyShipped(String base, String slug, Path dir) throws IOException {
        String prefix = SHIPPED + "/" + base + "/" + slug + "/";
        if (!isShipped(base, slug)) {
            return false;
        }
        Files.createDirectories(dir);
        for (String f : List.of(DESCRIPTOR, ADAPTERS, HEADS)) {
            try (InputStream in = TunedAdapters.class.getClassLoader().getResourceAsStream(prefix + f)) {
                if (in == null) {
                    throw new IOException("shipped adapters " + prefix + " lack " + f);
                }
                Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String task = descriptor(dir).task;
        try (InputStream in = TunedAdapters.class.getClassLoader().getResourceAsStream(prefix + task + PatienceProfile.SUFFIX)) {
            if (in != null) {
                Files.copy(in, profile(dir, task), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return true;
    }

    private static String abbrev(String sha) {
        return sha == null ? "none" : sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }
}
