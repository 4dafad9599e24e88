package io.pabee.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings that more than one role reads (router, analytics, worker), declared once with their one
 * default, as Kafka's {@code CommonClientConfigs} does for its clients. Each role's {@code ConfigDef}
 * starts from {@link #define(ConfigDef)} and keeps only its own keys; the roles' {@code *_CONFIG}
 * constants for these keys are aliases of the ones here.
 *
 * <p>It lives in pabee-schemas because both roles depend on that module and it already depends on
 * kafka-clients (for {@code ConfigDef}); the model runtime (pabee-models) stays free of Kafka.
 */
public final class CommonConfigs {
    /** Base encoder used when nothing else is said: the CLI's {@code --base} default and the model-dir default. */
    public static final String DEFAULT_BASE = "bge-small-en-v15";
    /** Where prepared model directories live, relative to the checkout ({@code PABEE_HOME} overrides it in the CLI). */
    public static final String DEFAULT_MODELS_HOME = "models/prepared";
    /** Task classified when nothing else is said. */
    public static final String DEFAULT_TASK = "SST-2";
    /** Default prepared model directory, the encoder fine-tuned for the default task: {@value}. */
    public static final String DEFAULT_MODEL_DIR = DEFAULT_MODELS_HOME + "/" + DEFAULT_BASE + "-sst2";

    public static final String RESULTS_TOPIC_CONFIG = "pabee.topic.results";
    public static final String RESULTS_TOPIC_DOC = "Labeled results (Classification, Avro).";
    public static final String CONTINUATIONS_TOPIC_CONFIG = "pabee.topic.continuations";
    public static final String CONTINUATIONS_TOPIC_DOC =
            "Records not exited after the router's layers (LayerState with hidden state), read by the worker pool.";
    public static final String DEAD_LETTER_TOPIC_CONFIG = "pabee.topic.dead.letters";
    public static final String DEAD_LETTER_TOPIC_DOC = "Rejected input and continuations that cannot be resumed, with the reason (DeadLetter).";
    public static final String MODEL_DIR_CONFIG = "pabee.model.dir";
    public static final String MODEL_DIR_DOC = "Prepared model directory; in the CLI the task's fine-tuned model where its "
            + "adapters ship, else the frozen encoder, prepared on first use.";
    public static final String TASK_CONFIG = "pabee.task";
    public static final String TASK_DOC = "Task whose heads classify (installed in the model directory).";
    public static final String THREADS_CONFIG = "pabee.onnx.threads";
    public static final String THREADS_DOC = "ONNX Runtime intra-op threads (0 = all cores).";
    public static final String DEAD_LETTER_PREFIX_CONFIG = "pabee.limit.dead.letter.prefix.bytes";
    public static final String DEAD_LETTER_PREFIX_DOC =
            "A dead letter carries at most this many bytes of the original key and of the value, plus their lengths and the value's sha256.";

    public static final String BATCH_ORDER_CONFIG = "pabee.batch.order";
    public static final String BATCH_ORDER_DOC = "How records share a stage call, which pads each to the longest: length (similar token "
            + "counts together: the router sorts each micro-batch, router and worker take the longest records waiting at a depth) "
            + "or arrival (as they came, the old behaviour, for comparison). Exits and labels are the same either way.";

    public static final String PATIENCE_CONFIG = "pabee.exit.patience";
    public static final String PATIENCE_DOC = "Default PABEE patience (0 = full depth); an event may carry its own.";

    public static final String WORKER_GROUP_CONFIG = "pabee.worker.group";
    public static final String WORKER_GROUP_DOC = "Consumer group of the worker pool; add workers to scale, up to the continuation topic's "
            + "partition count. The router reads the pool's lag under this group when it adapts K.";

    public static final String SHADOW_TOPIC_CONFIG = "pabee.topic.shadow";
    public static final String SHADOW_TOPIC_DOC = "Shadow runs of sampled exited records to the last layer (ShadowResult): early vs full-depth label.";
    public static final String ADAPTIVE_CONFIG = "pabee.adaptive.enabled";
    public static final String ADAPTIVE_DOC = "Adaptive patience: lower the effective patience (down to the floor) while the latency target is at risk, "
            + "raise it back once the backlog drains. Off = every record gets its configured patience.";
    public static final String SLO_CONFIG = "pabee.slo.latency.ms";
    public static final String SLO_DOC = "Latency target (event time to result) the adaptive controller defends.";
    public static final String MIN_PATIENCE_CONFIG = "pabee.adaptive.min.patience";
    public static final String MIN_PATIENCE_DOC = "Lowest patience the adaptive controller or a latency budget may choose.";
    public static final String MAX_ACCURACY_DROP_CONFIG = "pabee.adaptive.max.accuracy.drop";
    public static final String MAX_ACCURACY_DROP_DOC = "Most dev accuracy (model directory's patience-profile.json) the controller trades for "
            + "throughput below the configured patience's, e.g. 0.015 = 1.5 points; without a profile only the floor applies.";
    public static final String ADAPTIVE_INTERVAL_CONFIG = "pabee.adaptive.interval.ms";
    public static final String ADAPTIVE_INTERVAL_DOC = "How often the controller measures load and may step patience down.";
    public static final String RAISE_AFTER_CONFIG = "pabee.adaptive.raise.after.ms";
    public static final String RAISE_AFTER_DOC = "Hysteresis: patience goes up one step only after the backlog has stayed low this long.";
    public static final String SHADOW_SAMPLE_CONFIG = "pabee.shadow.sample";
    public static final String SHADOW_SAMPLE_DOC = "Share of exited records (chosen by a hash of the id) that also run to the last layer in the "
            + "worker pool, for the label-free agreement signal; 0 = none.";
    public static final String AGREEMENT_FLOOR_CONFIG = "pabee.shadow.agreement.floor";
    public static final String AGREEMENT_FLOOR_DOC = "While the measured shadow agreement of lowered records is below this, the controller "
            + "lowers no further and steps back up.";

    private CommonConfigs() {
    }

    /** Adds the shared keys to {@code def} and returns it, so a role's definition reads as one expression. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(RESULTS_TOPIC_CONFIG, Type.STRING, "pabee-results", Importance.HIGH, RESULTS_TOPIC_DOC)
                .define(CONTINUATIONS_TOPIC_CONFIG, Type.STRING, "pabee-continuations", Importance.HIGH, CONTINUATIONS_TOPIC_DOC)
                .define(DEAD_LETTER_TOPIC_CONFIG, Type.STRING, "pabee-dead-letters", Importance.HIGH, DEAD_LETTER_TOPIC_DOC)
                .define(MODEL_DIR_CONFIG, Type.STRING, DEFAULT_MODEL_DIR, Importance.HIGH, MODEL_DIR_DOC)
                .define(TASK_CONFIG, Type.STRING, DEFAULT_TASK, Importance.HIGH, TASK_DOC)
                .define(THREADS_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.LOW, THREADS_DOC)
                .define(DEAD_LETTER_PREFIX_CONFIG, Type.INT, 4096, Range.between(0, 1_048_576), Importance.LOW,
                        DEAD_LETTER_PREFIX_DOC)
                .define(BATCH_ORDER_CONFIG, Type.STRING, "length", ConfigDef.ValidString.in("length", "arrival"), Importance.LOW,
                        BATCH_ORDER_DOC)
                .define(PATIENCE_CONFIG, Type.INT, 4, Range.atLeast(0), Importance.HIGH, PATIENCE_DOC)
                .define(WORKER_GROUP_CONFIG, Type.STRING, "pabee-workers", Importance.HIGH, WORKER_GROUP_DOC)
                .define(SHADOW_TOPIC_CONFIG, Type.STRING, "pabee-shadow", Importance.LOW, SHADOW_TOPIC_DOC)
                .define(ADAPTIVE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, ADAPTIVE_DOC)
                .define(SLO_CONFIG, Type.LONG, 2000L, Range.atLeast(1), Importance.MEDIUM, SLO_DOC)
                .define(MIN_PATIENCE_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, MIN_PATIENCE_DOC)
                .define(MAX_ACCURACY_DROP_CONFIG, Type.DOUBLE, 0.015, Range.between(0, 1), Importance.MEDIUM, MAX_ACCURACY_DROP_DOC)
                .define(ADAPTIVE_INTERVAL_CONFIG, Type.LONG, 1000L, Range.atLeast(10), Importance.LOW, ADAPTIVE_INTERVAL_DOC)
                .define(RAISE_AFTER_CONFIG, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW, RAISE_AFTER_DOC)
                .define(SHADOW_SAMPLE_CONFIG, Type.DOUBLE, 0.0, Range.between(0, 1), Importance.MEDIUM, SHADOW_SAMPLE_DOC)
                .define(AGREEMENT_FLOOR_CONFIG, Type.DOUBLE, 0.9, Range.between(0, 1), Importance.LOW, AGREEMENT_FLOOR_DOC);
    }

    /** The shared keys alone, e.g. for documentation. */
    public static ConfigDef configDef() {
        return define(new ConfigDef());
    }

    /**
     * A Markdown table (setting, default, meaning) of the keys of {@code def}, in declaration order,
     * leaving out those in {@code except}: the README's configuration tables are generated by this.
     */
    public static String markdownTable(ConfigDef def, ConfigDef except) {
        Map<String, ConfigDef.ConfigKey> skip = except == null ? Map.of() : except.configKeys();
        StringBuilder sb = new StringBuilder("| setting | default | meaning |\n|---|---|---|\n");
        for (ConfigDef.ConfigKey k : def.configKeys().values()) {
            if (!skip.containsKey(k.name)) {
                sb.append("| `").append(k.name).append("` | `").append(k.defaultValue).append("` | ")
                        .append(k.documentation.replace("|", "\\|")).append(" |\n");
            }
        }
        return sb.toString();
    }
}
