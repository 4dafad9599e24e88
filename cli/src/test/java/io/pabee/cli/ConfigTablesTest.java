package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.config.CommonConfigs;
import io.pabee.router.RouterConfig;
import io.pabee.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** The documented configuration tables are exactly what the roles' ConfigDefs declare; each key is declared once. */
class ConfigTablesTest {
    /** The checkout's Markdown files (README.md and docs/): wherever the configuration section lives. */
    private static List<Path> docs() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("../README.md")));
        if (Files.isDirectory(Path.of("../docs"))) {
            try (Stream<Path> s = Files.walk(Path.of("../docs"))) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static List<String> settingRows(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("| `pabee.")).toList();
    }

    @Test
    void shouldDocumentEverySettingOfEveryRoleExactlyAsDeclared() throws IOException {
        List<String> documented = new ArrayList<>();
        for (Path f : docs()) {
            documented.addAll(settingRows(Files.readString(f)));
        }
        List<String> declared = settingRows(ConfigTables.markdown());
        // the message is the table to paste (`pabee config` prints the same)
        assertThat(documented).as("configuration rows in README.md/docs; regenerate with `pabee config`:%n%s",
                ConfigTables.markdown()).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void shouldGenerateOneRowPerKeyOfEveryRole() {
        Set<String> keys = new HashSet<>(RouterConfig.CONFIG.names());
        keys.addAll(WorkerConfig.CONFIG.names());
        List<String> rows = settingRows(ConfigTables.markdown());
        assertThat(rows).hasSize(keys.size());
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("| `pabee.worker.group` | `pabee-workers` |"))
                .anySatisfy(r -> assertThat(r).startsWith("| `pabee.router.layers` | `6` |"))
                .anySatisfy(r -> assertThat(r).startsWith("| `pabee.model.dir` | `" + CommonConfigs.DEFAULT_MODEL_DIR + "` |"));
    }

    @Test
    void shouldShareTheCommonKeysWithOneDefinition() {
        for (ConfigDef.ConfigKey k : CommonConfigs.configDef().configKeys().values()) {
            ConfigDef.ConfigKey router = RouterConfig.CONFIG.configKeys().get(k.name);
            ConfigDef.ConfigKey worker = WorkerConfig.CONFIG.configKeys().get(k.name);
            assertThat(router.defaultValue).as(k.name).isEqualTo(k.defaultValue).isEqualTo(worker.defaultValue);
            assertThat(router.documentation).isEqualTo(k.documentation).isEqualTo(worker.documentation);
        }
        assertThat(new RouterConfig(java.util.Map.of()).getString(RouterConfig.MODEL_DIR_CONFIG))
                .isEqualTo(new WorkerConfig(java.util.Map.of()).getString(WorkerConfig.MODEL_DIR_CONFIG))
                .isEqualTo(CommonConfigs.DEFAULT_MODEL_DIR);
    }
}
