package io.pabee.worker;

import io.pabee.config.CommonConfigs;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Every setting of the worker role, declared once: the keys the router reads too come from
 * {@link CommonConfigs}, the worker's own are declared here; other keys pass through to the Kafka clients.
 */
public final class WorkerConfig extends AbstractConfig {
    public static final String CONTINUATIONS_TOPIC_CONFIG = CommonConfigs.CONTINUATIONS_TOPIC_CONFIG;
    public static final String RESULTS_TOPIC_CONFIG = CommonConfigs.RESULTS_TOPIC_CONFIG;
    public static final String DEAD_LETTER_TOPIC_CONFIG = CommonConfigs.DEAD_LETTER_TOPIC_CONFIG;
    public static final String SHADOW_TOPIC_CONFIG = CommonConfigs.SHADOW_TOPIC_CONFIG;
    public static final String SHADOW_SAMPLE_CONFIG = CommonConfigs.SHADOW_SAMPLE_CONFIG;
    public static final String GROUP_CONFIG = CommonConfigs.WORKER_GROUP_CONFIG;
    public static final String MODEL_DIR_CONFIG = CommonConfigs.MODEL_DIR_CONFIG;
    public static final String TASK_CONFIG = CommonConfigs.TASK_CONFIG;
    public static final String DEVICE_CONFIG = "pabee.worker.device";
    public static final String THREADS_CONFIG = CommonConfigs.THREADS_CONFIG;
    public static final String STAGE_BATCH_CONFIG = "pabee.worker.batch.size";
    public static final String BATCH_ORDER_CONFIG = CommonConfigs.BATCH_ORDER_CONFIG;
    public static final String MAX_IN_FLIGHT_CONFIG = "pabee.worker.max.in.flight";
    public static final String POLL_MS_CONFIG = "pabee.worker.max.wait.ms";
    public static final String TRANSACTION_TIMEOUT_CONFIG = "pabee.worker.transaction.timeout.ms";
    public static final String MAX_RETRIES_CONFIG = "pabee.worker.max.retries";
    public static final String DEAD_LETTER_PREFIX_CONFIG = CommonConfigs.DEAD_LETTER_PREFIX_CONFIG;
    public static final String PATIENCE_CONFIG = CommonConfigs.PATIENCE_CONFIG;
    public static final String STATIC_MEMBERSHIP_CONFIG = "pabee.worker.static.membership";

    public static final ConfigDef CONFIG = CommonConfigs.define(new ConfigDef())
            .define(DEVICE_CONFIG, Type.STRING, "cuda", Importance.HIGH,
                    "cpu, cuda or cuda:<id>; CUDA falls back to CPU (logged) when unusable.")
            .define(STAGE_BATCH_CONFIG, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
                    "Records per stage call; exited records leave the batch and others at the same depth join.")
            .define(MAX_IN_FLIGHT_CONFIG, Type.INT, 256, Range.between(1, 100_000), Importance.MEDIUM,
                    "Records per poll (max.poll.records); one transaction holds at most this plus one stage batch, which bounds memory and the time between polls.")
            .define(POLL_MS_CONFIG, Type.LONG, 100L, Range.atLeast(1), Importance.MEDIUM, "Max wait: polling continues until a stage batch is full or this many ms have passed since the first record.")
            .define(TRANSACTION_TIMEOUT_CONFIG, Type.INT, 10_000, Range.atLeast(1000), Importance.LOW,
                    "Producer transaction timeout: how long a dead worker's open transaction can hold back read_committed readers; one poll batch (max.in.flight records) must finish well inside it.")
            .define(MAX_RETRIES_CONFIG, Type.INT, 3, Range.atLeast(0), Importance.LOW,
                    "Aborted attempts of one poll batch before its records are dead-lettered.")
            .define(STATIC_MEMBERSHIP_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Static group membership: each worker's id is its group.instance.id, so a worker process restarted with the "
                    + "same --id takes its partitions back without a rebalance. Only with a stable --id per process.");

    public WorkerConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
    }

    /** Markdown rows of the worker's own settings (the shared ones have their own table). */
    public static String markdownTable() {
        return CommonConfigs.markdownTable(CONFIG, CommonConfigs.configDef());
    }
}
