package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.router.RouterConfig;
import io.pabee.worker.WorkerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of the long-running roles: the cluster, a properties file (client settings such as
 * SASL_SSL pass straight through to Kafka; {@code pabee.*} keys are the router's), and overrides.
 */
final class KafkaRoleOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--config", description = "Properties file: Kafka client/Streams settings and pabee.* settings.")
    Path config;

    @Option(names = "--set", description = "Override one setting, key=value (repeatable).")
    Map<String, String> overrides = new HashMap<>();

    Properties properties() throws IOException {
        Properties p = given();
        rejectUnknownSettings(p);
        p.putIfAbsent("bootstrap.servers", bootstrapServers);
        // the ConfigDef default is relative to the working directory; the CLI resolves it against PABEE_HOME and
        // picks the task's fine-tuned model when its adapters ship (the frozen encoder otherwise)
        p.putIfAbsent(CommonConfigs.MODEL_DIR_CONFIG, PreparedModels.defaultDir(
                io.pabee.prepare.BaseModel.parse(CommonConfigs.DEFAULT_BASE),
                p.getProperty(CommonConfigs.TASK_CONFIG, CommonConfigs.DEFAULT_TASK)).toString());
        return p;
    }

    /** The configured model directory, prepared first when it is a missing default (see {@link PreparedModels}). */
    static void ensureModel(Properties all) throws IOException {
        PreparedModels.ensure(Path.of(all.getProperty(CommonConfigs.MODEL_DIR_CONFIG)), msg -> { });
    }

    /** Whether the user named a cluster: {@code --bootstrap-servers}, or {@code bootstrap.servers} in the file or a {@code --set}. */
    boolean clusterNamed() throws IOException {
        if (mixee != null && mixee.commandLine() != null && mixee.commandLine().getParseResult() != null
                && mixee.commandLine().getParseResult().hasMatchedOption("--bootstrap-servers")) {
            return true;
        }
        return given().containsKey("bootstrap.servers");
    }

    /** What the user gave: the {@code --config} file, then every {@code --set} over it; no defaults. */
    private Properties given() throws IOException {
        Properties p = new Properties();
        if (config != null) {
            try (Reader r = Files.newBufferedReader(config)) {
                p.load(r);
            }
        }
        p.putAll(overrides);
        return p;
    }

    /** A misspelt pabee.* key would otherwise be ignored silently: every one must be some role's setting. */
    static void rejectUnknownSettings(Properties p) {
        Set<String> known = new HashSet<>(RouterConfig.CONFIG.names());
        known.addAll(WorkerConfig.CONFIG.names());
        for (Object k : p.keySet()) {
            if (k.toString().startsWith("pabee.") && !known.contains(k.toString())) {
                throw new IllegalArgumentException("unknown setting " + k + " (`pabee config` lists every pabee.* setting)");
            }
        }
    }

    /** The Kafka client part of the properties (everything that is not a pabee.* key). */
    static Properties clientProperties(Properties all) {
        Properties p = new Properties();
        all.forEach((k, v) -> {
            if (!k.toString().startsWith("pabee.")) {
                p.put(k, v);
            }
        });
        return p;
    }
}
