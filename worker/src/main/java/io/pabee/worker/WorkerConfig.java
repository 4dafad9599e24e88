package io.pabee.worker;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Every setting of the worker role, declared once; other keys pass through to the Kafka clients. */
public final class WorkerConfig extends AbstractConfig {
    public static final String CONTINUATIONS_TOPIC_CONFIG = "pabee.topic.continuations";
    public static final String RESULTS_TOPIC_CONFIG = "pabee.topic.results";
    public static final String DEAD_LETTER_TOPIC_CONFIG = "pabee.topic.dead.letters";
    public static final String GROUP_CONFIG = "pabee.worker.group";
    public static final String MODEL_DIR_CONFIG = "pabee.model.dir";
    public static final String TASK_CONFIG = "pabee.task";
    public static final String DEVICE_CONFIG = "pabee.worker.device";
    public static final String THREADS_CONFIG = "pabee.onnx.threads";
    public static final String STAGE_BATCH_CONFIG = "pabee.worker.batch.size";
    public static final String MAX_IN_FLIGHT_CONFIG = "pabee.worker.max.in.flight";
    public static final String POLL_MS_CONFIG = "pabee.worker.max.wait.ms";
    public static final String TRANSACTION_TIMEOUT_CONFIG = "pabee.worker.transaction.timeout.ms";
    public static final String MAX_RETRIES_CONFIG = "pabee.worker.max.retries";
    public static final String DEAD_LETTER_PREFIX_CONFIG = "pabee.limit.dead.letter.prefix.bytes";
    public static final String STATIC_MEMBERSHIP_CONFIG = "pabee.worker.static.membership";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(CONTINUATIONS_TOPIC_CONFIG, Type.STRING, "pabee-continuations", Importance.HIGH, "Continuations to finish.")
            .define(RESULTS_TOPIC_CONFIG, Type.STRING, "pabee-results", Importance.HIGH, "Where results go.")
            .define(DEAD_LETTER_TOPIC_CONFIG, Type.STRING, "pabee-dead-letters", Importance.HIGH,
                    "Continuations that cannot be resumed, with the reason.")
            .define(GROUP_CONFIG, Type.STRING, "pabee-workers", Importance.HIGH,
                    "Consumer group of the pool; add workers to scale, up to the continuation topic's partition count.")
            .define(MODEL_DIR_CONFIG, Type.STRING, "models/prepared/bge-small-en-v15", Importance.HIGH, "Prepared model directory.")
            .define(TASK_CONFIG, Type.STRING, "SST-2", Importance.HIGH, "Task whose heads classify.")
            .define(DEVICE_CONFIG, Type.STRING, "cuda", Importance.HIGH,
                    "cpu, cuda or cuda:<id>; CUDA falls back to CPU (logged) when unusable.")
            .define(THREADS_CONFIG, Type.INT, 0, Range.atLeast(0), Importance.LOW, "ONNX Runtime intra-op threads (0 = all cores).")
            .define(STAGE_BATCH_CONFIG, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
                    "Records per stage call; exited records leave the batch and others at the same depth join.")
            .define(MAX_IN_FLIGHT_CONFIG, Type.INT, 256, Range.between(1, 100_000), Importance.MEDIUM,
                    "Records per poll (max.poll.records); one transaction holds at most this plus one stage batch, which bounds memory and the time between polls.")
            .define(POLL_MS_CONFIG, Type.LONG, 100L, Range.atLeast(1), Importance.MEDIUM, "Max wait: polling continues until a stage batch is full or this many ms have passed since the first record.")
            .define(TRANSACTION_TIMEOUT_CONFIG, Type.INT, 60_000, Range.atLeast(1000), Importance.LOW,
                    "Producer transaction timeout: how long a dead worker's open transaction can hold back read_committed readers.")
            .define(MAX_RETRIES_CONFIG, Type.INT, 3, Range.atLeast(0), Importance.LOW,
                    "Aborted attempts of one poll batch before its records are dead-lettered.")
            .define(DEAD_LETTER_PREFIX_CONFIG, Type.INT, 4096, Range.between(0, 1_048_576), Importance.LOW,
                    "A dead letter carries at most this many bytes of the original key and of the value, plus their lengths and the value's sha256.")
            .define(STATIC_MEMBERSHIP_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Static group membership: each worker's id is its group.instance.id, so a worker process restarted with the "
                    + "same --id takes its partitions back without a rebalance. Only with a stable --id per process.");

    public WorkerConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
    }
}
