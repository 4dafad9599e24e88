package io.pabee.router;

import io.pabee.adaptive.RouterLayers;
import io.pabee.config.CommonConfigs;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of the router and analytics roles, declared once (name, type, default, validator,
 * doc): the keys the worker reads too come from {@link CommonConfigs}, the rest are declared here.
 * Kafka client and Streams settings pass through unchanged alongside these.
 */
public final class RouterConfig extends AbstractConfig {
    public static final String INPUT_TOPIC_CONFIG = "pabee.topic.input";
    public static final String RESULTS_TOPIC_CONFIG = CommonConfigs.RESULTS_TOPIC_CONFIG;
    public static final String CONTINUATIONS_TOPIC_CONFIG = CommonConfigs.CONTINUATIONS_TOPIC_CONFIG;
    public static final String DEAD_LETTER_TOPIC_CONFIG = CommonConfigs.DEAD_LETTER_TOPIC_CONFIG;
    public static final String EXIT_STATS_TOPIC_CONFIG = "pabee.topic.exit.stats";
    public static final String SHADOW_TOPIC_CONFIG = CommonConfigs.SHADOW_TOPIC_CONFIG;
    public static final String SCHEMAS_TOPIC_CONFIG = "pabee.topic.schemas";
    public static final String PARTITIONS_CONFIG = "pabee.topic.partitions";
    public static final String REPLICATION_CONFIG = "pabee.topic.replication.factor";
    public static final String INPUT_FORMAT_CONFIG = "pabee.input.format";
    public static final String MODEL_DIR_CONFIG = CommonConfigs.MODEL_DIR_CONFIG;
    public static final String TASK_CONFIG = CommonConfigs.TASK_CONFIG;
    public static final String ROUTER_LAYERS_CONFIG = "pabee.router.layers";
    public static final String ADAPTIVE_ROUTER_LAYERS_CONFIG = "pabee.adaptive.router.layers";
    public static final String ROUTER_LAYERS_MIN_CONFIG = "pabee.router.layers.min";
    public static final String ROUTER_LAYERS_MAX_CONFIG = "pabee.router.layers.max";
    public static final String ROUTER_LAYERS_WINDOW_CONFIG = "pabee.router.layers.window.ms";
    public static final String WORKER_GROUP_CONFIG = CommonConfigs.WORKER_GROUP_CONFIG;
    public static final String PATIENCE_CONFIG = CommonConfigs.PATIENCE_CONFIG;
    public static final String REGRESSION_THRESHOLD_CONFIG = "pabee.exit.regression.threshold";
    public static final String BATCH_RECORDS_CONFIG = "pabee.batch.max.records";
    public static final String STAGE_BATCH_CONFIG = "pabee.batch.stage.size";
    public static final String BATCH_WAIT_CONFIG = "pabee.batch.max.wait.ms";
    public static final String BATCH_ORDER_CONFIG = CommonConfigs.BATCH_ORDER_CONFIG;
    public static final String MAX_LENGTH_CONFIG = "pabee.max.length";
    public static final String HIDDEN_ENCODING_CONFIG = "pabee.hidden.encoding";
    public static final String THREADS_CONFIG = CommonConfigs.THREADS_CONFIG;
    public static final String WINDOW_CONFIG = "pabee.analytics.window.ms";
    public static final String HTTP_PORT_CONFIG = "pabee.http.port";
    public static final String DEDUP_RETENTION_CONFIG = "pabee.dedup.retention.ms";
    public static final String LIMIT_EVENT_BYTES_CONFIG = "pabee.limit.event.bytes";
    public static final String LIMIT_ID_CHARS_CONFIG = "pabee.limit.id.chars";
    public static final String LIMIT_TEXT_CHARS_CONFIG = "pabee.limit.text.chars";
    public static final String LIMIT_TEXT_PAIR_CHARS_CONFIG = "pabee.limit.text.pair.chars";
    public static final String LIMIT_METADATA_ENTRIES_CONFIG = "pabee.limit.metadata.entries";
    public static final String LIMIT_METADATA_BYTES_CONFIG = "pabee.limit.metadata.bytes";
    public static final String DEAD_LETTER_PREFIX_CONFIG = CommonConfigs.DEAD_LETTER_PREFIX_CONFIG;
    public static final String INSTANCE_ID_CONFIG = "pabee.router.instance.id";

    public static final ConfigDef CONFIG = CommonConfigs.define(new ConfigDef())
            .define(INPUT_TOPIC_CONFIG, Type.STRING, "pabee-text-events", Importance.HIGH, "Topic producers write text events to.")
            .define(EXIT_STATS_TOPIC_CONFIG, Type.STRING, "pabee-exit-stats", Importance.MEDIUM, "Windowed exit statistics (ExitStats).")
            .define(SCHEMAS_TOPIC_CONFIG, Type.STRING, "pabee-schemas", Importance.LOW,
                    "Compacted topic of every schema version keyed by fingerprint, for consumers in other languages.")
            .define(PARTITIONS_CONFIG, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of topics created on start; the continuation topic's count bounds the busy workers.")
            .define(REPLICATION_CONFIG, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM, "Replication factor of topics created on start.")
            .define(INPUT_FORMAT_CONFIG, Type.STRING, "avro", ValidString.in("avro", "json", "text"), Importance.HIGH,
                    "Input encoding: avro (single-object TextEvent), json ({\\\"id\\\":..,\\\"text\\\":..}) or text (UTF-8, key = id).")
            .define(ROUTER_LAYERS_CONFIG, Type.INT, 6, Range.atLeast(0), Importance.HIGH,
                    "K: encoder layers run in the router; K >= L means no worker is needed, 0 forwards everything after the embeddings. "
                    + "With pabee.adaptive.router.layers the K it starts at.")
            .define(ADAPTIVE_ROUTER_LAYERS_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Adaptive K: every pabee.adaptive.interval.ms the router reads the input lag of its group and the continuation "
                    + "lag of pabee.worker.group, lowers K one layer while it is the bottleneck and the pool waits, and raises it "
                    + "while the pool falls behind, within pabee.router.layers.min..max; a step the router's bottleneck asks for "
                    + "stands only if the router's intake did not fall (else K probes upwards). Off = K stays pabee.router.layers.")
            .define(ROUTER_LAYERS_MIN_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Adaptive K: the fewest layers the router runs.")
            .define(ROUTER_LAYERS_MAX_CONFIG, Type.INT, 12, Range.atLeast(0), Importance.LOW,
                    "Adaptive K: the most layers the router runs (it loads stages up to this many).")
            .define(ROUTER_LAYERS_WINDOW_CONFIG, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
                    "Adaptive K: the queue samples of this long a window decide one step (at most one step per window); "
                    + "it should span a few micro-batches.")
            .define(REGRESSION_THRESHOLD_CONFIG, Type.DOUBLE, 0.5, Range.atLeast(0), Importance.LOW,
                    "Regression heads: a layer counts as unchanged when |score change| < this.")
            .define(BATCH_RECORDS_CONFIG, Type.INT, 512, Range.between(1, 4096), Importance.MEDIUM,
                    "Micro-batch size N: buffered events run together once this many are waiting.")
            .define(STAGE_BATCH_CONFIG, Type.INT, 32, Range.between(1, 1024), Importance.MEDIUM,
                    "Records per stage call inside a micro-batch; exited records leave and others at the same depth join.")
            .define(BATCH_WAIT_CONFIG, Type.LONG, 50L, Range.atLeast(1), Importance.MEDIUM,
                    "Micro-batch wait T: a partial batch runs after this many ms (wall clock).")
            .define(MAX_LENGTH_CONFIG, Type.INT, 128, Range.between(3, 512), Importance.LOW, "Truncation length in tokens.")
            .define(HIDDEN_ENCODING_CONFIG, Type.STRING, "fp16", ValidString.in("fp16", "fp32"), Importance.LOW,
                    "Encoding of hidden states on the continuation topic.")
            .define(WINDOW_CONFIG, Type.LONG, 10_000L, Range.atLeast(100), Importance.MEDIUM, "Analytics tumbling window size.")
            .define(DEDUP_RETENTION_CONFIG, Type.LONG, 3_600_000L, Range.atLeast(0), Importance.MEDIUM,
                    "An id seen again within this time is dead-lettered as duplicate-id (0 = no duplicate check). "
                    + "Ids are keyed per input partition, so producers should key events by id.")
            .define(HTTP_PORT_CONFIG, Type.INT, 0, Range.between(0, 65535), Importance.LOW,
                    "Port of the /metrics and /stats HTTP endpoint (0 = none).")
            .define(LIMIT_EVENT_BYTES_CONFIG, Type.INT, 1_000_000, Range.between(1024, 64 * 1024 * 1024), Importance.MEDIUM,
                    "Largest input value in bytes, checked before decoding; larger ones are dead letters too-large. "
                    + "With the other limits it must keep every output record under the producer's and topics' maxima (checked at start).")
            .define(LIMIT_ID_CHARS_CONFIG, Type.INT, 256, Range.between(1, 65_536), Importance.MEDIUM,
                    "Longest id in characters; longer ids, ids with control characters or unpaired surrogates are dead letters invalid-id.")
            .define(LIMIT_TEXT_CHARS_CONFIG, Type.INT, 1_000_000, Range.atLeast(1), Importance.MEDIUM,
                    "Longest text in characters (the tokenizer truncates far earlier; this bounds the work); longer is too-large.")
            .define(LIMIT_TEXT_PAIR_CHARS_CONFIG, Type.INT, 1_000_000, Range.atLeast(1), Importance.LOW,
                    "Longest second text of a pair in characters; longer is too-large.")
            .define(LIMIT_METADATA_ENTRIES_CONFIG, Type.INT, 64, Range.atLeast(0), Importance.LOW,
                    "Most metadata entries an event may carry to its continuation; more is too-large.")
            .define(LIMIT_METADATA_BYTES_CONFIG, Type.INT, 16_384, Range.atLeast(0), Importance.LOW,
                    "Most metadata bytes (UTF-8 keys and values) an event may carry to its continuation; more is too-large.")
            .define(INSTANCE_ID_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "Static group membership: a stable id per router instance (e.g. the pod name) lets a restarted instance "
                    + "take its partitions back without a rebalance; empty = dynamic membership.");

    public RouterConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
        if (adaptiveRouterLayers()) {
            int k = getInt(ROUTER_LAYERS_CONFIG);
            int min = getInt(ROUTER_LAYERS_MIN_CONFIG);
            int max = getInt(ROUTER_LAYERS_MAX_CONFIG);
            if (min > k || k > max) {
                throw new ConfigException("with " + ADAPTIVE_ROUTER_LAYERS_CONFIG + "=true, " + ROUTER_LAYERS_MIN_CONFIG + " <= "
                        + ROUTER_LAYERS_CONFIG + " <= " + ROUTER_LAYERS_MAX_CONFIG + " must hold, got " + min + " <= " + k
                        + " <= " + max);
            }
        }
    }

    /** Whether K follows the queues ({@code pabee.adaptive.router.layers}). */
    public boolean adaptiveRouterLayers() {
        return getBoolean(ADAPTIVE_ROUTER_LAYERS_CONFIG);
    }

    /**
     * The process's K, shared by every task: fixed at {@code pabee.router.layers}, or starting there
     * and bounded by {@code pabee.router.layers.min..max} when adaptive.
     */
    public RouterLayers routerLayers() {
        return routerLayers(Integer.MAX_VALUE);
    }

    /** As {@link #routerLayers()}, for a model of {@code numLayers} layers: K and its bounds at most that. */
    public RouterLayers routerLayers(int numLayers) {
        int k = Math.min(getInt(ROUTER_LAYERS_CONFIG), numLayers);
        return adaptiveRouterLayers()
                ? new RouterLayers(k, Math.min(getInt(ROUTER_LAYERS_MIN_CONFIG), numLayers), Math.min(getInt(ROUTER_LAYERS_MAX_CONFIG), numLayers))
                : RouterLayers.fixed(k);
    }

    /** The deepest K the router may run: the stages it loads. */
    public int maxRouterLayers() {
        return adaptiveRouterLayers() ? getInt(ROUTER_LAYERS_MAX_CONFIG) : getInt(ROUTER_LAYERS_CONFIG);
    }

    public String inputTopic() {
        return getString(INPUT_TOPIC_CONFIG);
    }

    public String resultsTopic() {
        return getString(RESULTS_TOPIC_CONFIG);
    }

    public String continuationsTopic() {
        return getString(CONTINUATIONS_TOPIC_CONFIG);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC_CONFIG);
    }

    public String exitStatsTopic() {
        return getString(EXIT_STATS_TOPIC_CONFIG);
    }

    public String shadowTopic() {
        return getString(SHADOW_TOPIC_CONFIG);
    }

    public String schemasTopic() {
        return getString(SCHEMAS_TOPIC_CONFIG);
    }

    /** The seven topic settings with every name prefixed, e.g. for tests and benchmarks sharing one broker. */
    public static Map<String, Object> prefixedTopics(String prefix) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (String key : new String[] {INPUT_TOPIC_CONFIG, RESULTS_TOPIC_CONFIG, CONTINUATIONS_TOPIC_CONFIG,
                DEAD_LETTER_TOPIC_CONFIG, EXIT_STATS_TOPIC_CONFIG, SCHEMAS_TOPIC_CONFIG, SHADOW_TOPIC_CONFIG}) {
            m.put(key, prefix + CONFIG.defaultValues().get(key));
        }
        return m;
    }

    /** Markdown rows of the router's and analytics' own settings (the shared ones have their own table). */
    public static String markdownTable() {
        return CommonConfigs.markdownTable(CONFIG, CommonConfigs.configDef());
    }
}
