package io.pabee.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A prepared model directory, with every file checked against its manifest sha256 before use. */
public final class ModelDirectory {
    /**
     * Files this process has hashed, with the attributes they had then. One process opens the same
     * directory several times (each router task, each worker), and hashing ~130 MB each time costs
     * about a second of CPU where only C1 compiles (no SHA intrinsic); any write since changes the
     * size or the modification time, and then the file is hashed again.
     */
    private static final Map<Path, Verified> VERIFIED = new ConcurrentHashMap<>();
    private static final AtomicLong HASHED = new AtomicLong();
    /** Files written this recently are hashed every time (file systems with 1-2 s timestamps). */
    private static final long RACY_MILLIS = 3000;

    private record Verified(long size, long modifiedNanos, Object fileKey, String sha256) {
        static Verified of(BasicFileAttributes a, String sha256) {
            return new Verified(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.fileKey(), sha256);
        }

        boolean sameFile(BasicFileAttributes a) {
            return size == a.size() && modifiedNanos == a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)
                    && Objects.equals(fileKey, a.fileKey());
        }
    }

    private final Path dir;
    private final Manifest manifest;

    private ModelDirectory(Path dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Opens the directory and verifies the sha256 of the stages, tokenizer and head files. */
    public static ModelDirectory open(Path dir) {
        Manifest m;
        try {
            m = Manifest.read(dir);
        } catch (IOException e) {
            throw new ModelFileException(e.getMessage(), e);
        }
        ModelDirectory md = new ModelDirectory(dir, m);
        List<String> files = new ArrayList<>(m.stages);
        files.add(m.tokenizer);
        m.heads.values().forEach(h -> files.add(h.file));
        for (String f : files) {
            md.verify(f);
        }
        return md;
    }

    /** Checks one file against the manifest; throws a one-line error naming the file otherwise. */
    public Path verify(String name) {
        Path p = dir.resolve(name);
        String expected = manifest.sha256.get(name);
        if (expected == null) {
            throw new ModelFileException("model file " + p + " is not listed in " + dir.resolve(Manifest.FILE));
        }
        if (!Files.isRegularFile(p)) {
            throw new ModelFileException("model file " + p + " is missing; rerun `pabee models prepare`");
        }
        String actual = sha256(p);
        if (!actual.equals(expected)) {
            throw new ModelFileException("model file " + p + " does not match its sha256 in the manifest (expected "
                    + expected.substring(0, 12) + "…, found " + actual.substring(0, 12) + "…): corrupted or tampered");
        }
        return p;
    }

    private static String sha256(Path p) {
        Path key = p.toAbsolutePath().normalize();
        try {
            BasicFileAttributes before = Files.readAttributes(key, BasicFileAttributes.class);
            Verified v = VERIFIED.get(key);
            if (v != null && v.sameFile(before)) {
                return v.sha256();
            }
            String sha = Sha256.of(key);
            HASHED.incrementAndGet();
            // only remember it if the file did not change while it was read, and was last written
            // long enough ago that a later write cannot fall in the same tick of a coarse clock
            BasicFileAttributes after = Files.readAttributes(key, BasicFileAttributes.class);
            boolean settled = System.currentTimeMillis() - after.lastModifiedTime().toMillis() > RACY_MILLIS;
            if (settled && Verified.of(before, sha).sameFile(after)) {
                VERIFIED.put(key, Verified.of(after, sha));
            }
            return sha;
        } catch (IOException e) {
            throw new ModelFileException("cannot read model file " + p + ": " + e.getMessage(), e);
        }
    }

    /** How many files this process has hashed so far (tests check that unchanged files are hashed once). */
    static long filesHashed() {
        return HASHED.get();
    }

    public Path path() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path stage(int index) {
        return dir.resolve(manifest.stages.get(index));
    }

    public Path tokenizer() {
        return dir.resolve(manifest.tokenizer);
    }

    /** The verified heads file of a task; a one-line error says how to get heads when none are installed. */
    public Path heads(String task) {
        Manifest.HeadsEntry e = manifest.heads.get(task);
        if (e == null) {
            throw new ModelFileException("no heads for task " + task + " in " + dir + " (installed: "
                    + (manifest.heads.isEmpty() ? "none" : String.join(", ", manifest.heads.keySet()))
                    + "); run `pabee models train-heads --task " + task + "` (a GLUE task) or `pabee models train-heads --train FILE"
                    + " --dev FILE --task-name " + task + "` (your own labeled data)");
        }
        return verify(e.file);
    }

    /**
     * Identifies stages + heads: {@code base@<last stage sha256 prefix>/<heads sha256 prefix>}. Router and
     * workers stamp it on continuations and results; a worker refuses a continuation of another version.
     */
    public String version(String task) {
        heads(task);
        return manifest.base + "@" + manifest.sha256.get(manifest.stages.get(numLayers())).substring(0, 12) + "/"
                + manifest.sha256.get(manifest.heads.get(task).file).substring(0, 12);
    }

    public int numLayers() {
        return manifest.numLayers;
    }

    public int hidden() {
        return manifest.hidden;
    }

    /** Default model directory for a base model under a models home (e.g. {@code models/prepared}). */
    public static Path defaultPath(Path home, String base) {
        return home.resolve(base);
    }

    /** The models home: system property {@code pabee.home}, env {@code PABEE_HOME}, else {@code models/prepared}. */
    public static Path home() {
        String p = System.getProperty("pabee.home");
        if (p == null || p.isBlank()) {
            p = System.getenv("PABEE_HOME");
        }
        return Path.of(p == null || p.isBlank() ? "models/prepared" : p);
    }
}
