package io.pabee.headtrain;

import io.pabee.adaptive.PatienceProfile;
import io.pabee.heads.HeadSet;
import io.pabee.heads.LinearHead;
import io.pabee.stage.Manifest;
import io.pabee.stage.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a task's heads into a model directory and records them, with their sha256, in the manifest. New heads drop
 * the task's patience profile, which described the old ones; the shipped heads bring their shipped profile.
 */
public final class HeadsInstaller {
    /** Classpath folder of the heads shipped with the product: {@code heads/<base>/<task>.json}. */
    public static final String SHIPPED = "heads";

    private HeadsInstaller() {
    }

    public static Path install(Path modelDir, HeadSet heads) throws IOException {
        Manifest m = Manifest.read(modelDir);
        if (heads.hidden() != m.hidden || heads.numLayers() != m.numLayers) {
            throw new IllegalArgumentException("heads for " + heads.task() + " have " + heads.numLayers() + " layers of "
                    + heads.hidden() + ", the model has " + m.numLayers + " of " + m.hidden);
        }
        String name = "heads/" + heads.task() + ".json";
        Path file = modelDir.resolve(name);
        heads.write(file);
        Files.deleteIfExists(PatienceProfile.file(modelDir, heads.task()));
        Manifest.HeadsEntry e = new Manifest.HeadsEntry();
        e.file = name;
        e.problemType = heads.problemType();
        e.labels = new ArrayList<>(heads.labels());
        e.devMetrics = new ArrayList<>(heads.devMetrics());
        m.heads.put(heads.task(), e);
        m.sha256.put(name, Sha256.of(file));
        m.write(modelDir);
        return file;
    }

    /**
     * Installs every shipped head set for {@code base} found on the classpath, with its patience profile
     * ({@code heads/<base>/<task>.patience.json}) where one ships; returns the tasks installed.
     */
    public static List<String> installShipped(Path modelDir, String base, List<String> tasks) throws IOException {
        List<String> done = new ArrayList<>();
        for (String task : tasks) {
            String res = SHIPPED + "/" + base + "/" + task + ".json";
            try (InputStream in = HeadsInstaller.class.getClassLoader().getResourceAsStream(res)) {
                if (in == null) {
                    continue;
                }
                Path tmp = Files.createTempFile("heads", ".json");
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    install(modelDir, HeadSet.read(tmp));
                } finally {
                    Files.deleteIfExists(tmp);
                }
                installShippedProfile(modelDir, base, task);
                done.add(task);
            }
        }
        return done;
    }

    private static void installShippedProfile(Path modelDir, String base, String task) throws IOException {
        try (InputStream in = HeadsInstaller.class.getClassLoader()
                .getResourceAsStream(SHIPPED + "/" + base + "/" + task + PatienceProfile.SUFFIX)) {
            if (in != null) {
                Path f = PatienceProfile.file(modelDir, task);
                Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
