package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.schema.DeadLetter;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' exception handlers for what only Streams can catch: a result or continuation the
 * producer refuses (too large, not serializable) and an exception that escapes the processor. Each
 * turns the record into a dead letter and lets the stream go on; the default would stop the client
 * and meet the same record again after every restart. Configured by {@link RouterTopology#streamsConfig}.
 */
public final class DeadLetterHandlers {
    /** Streams setting that carries the role's {@link MeterRegistry} object to the handlers (optional). */
    public static final String METRICS_CONFIG = "pabee.internal.metrics.registry";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);

    private DeadLetterHandlers() {
    }

    /** What both handlers share: the dead-letter topic, the prefix limit and the counter. */
    private static final class Target {
        private String topic = "pabee-dead-letters";
        private int prefix = 4096;
        private int idChars = 256;
        private MeterRegistry metrics;

        void configure(Map<String, ?> configs) {
            RouterConfig cfg = new RouterConfig(configs);
            topic = cfg.deadLetterTopic();
            prefix = cfg.getInt(RouterConfig.DEAD_LETTER_PREFIX_CONFIG);
            idChars = cfg.getInt(RouterConfig.LIMIT_ID_CHARS_CONFIG);
            metrics = configs.get(METRICS_CONFIG) instanceof MeterRegistry m ? m : null;
        }

        ProducerRecord<byte[], byte[]> deadLetter(byte[] key, byte[] value, String topicName, int partition, long offset,
                                                  String reason, Exception e) {
            if (metrics != null) {
                metrics.counter("pabee_dead_letters_total", "stage", "router", "reason", reason).increment();
            }
            String id = key == null ? null : DeadLetters.boundedId(new String(key, StandardCharsets.UTF_8), idChars);
            DeadLetter d = DeadLetters.of(key, value, prefix, reason, e.toString()).setId(id).setStage("router")
                    .setSourceTopic(topicName == null ? "" : topicName).setSourcePartition(partition)
                    .setSourceOffset(offset).setTime(System.currentTimeMillis()).build();
            return new ProducerRecord<>(topic, id == null ? null : id.getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(DeadLetter.class).encode(d));
        }
    }

    /** A result or continuation the producer refuses becomes a dead letter in its place. */
    public static final class Production implements ProductionExceptionHandler {
        private final Target target = new Target();

        @Override
        public void configure(Map<String, ?> configs) {
            target.configure(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
            return replace(record, e instanceof RecordTooLargeException ? "too-large" : "internal-error", e);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception e,
                                                 SerializationExceptionOrigin origin) {
            byte[] key = record.key() instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
            return Response.resume(List.of(target.deadLetter(key, null, context.topic(), context.partition(),
                    context.offset(), "internal-error", e)));
        }

        private Response replace(ProducerRecord<byte[], byte[]> record, String reason, Exception e) {
            if (record.topic().equals(target.topic)) {
                // a dead letter is bounded by the prefix limit; if the broker still refuses it, send it without the originals
                LOG.warn("dead letter refused ({}), sent again without the original bytes", e.toString());
                return Response.resume(List.of(target.deadLetter(null, null, record.topic(), -1, -1L, reason, e)));
            }
            if (record.topic().endsWith("-changelog")) {
                // the buffer's changelog must hold what was accepted: dropping it could lose an event after a crash.
                // The start-up check keeps every accepted event within the changelog's limit.
                LOG.error("changelog record refused: {}", e.toString());
                return Response.fail();
            }
            return Response.resume(List.of(target.deadLetter(record.key(), record.value(), record.topic(),
                    record.partition() == null ? -1 : record.partition(), -1L, reason, e)));
        }
    }

    /** An exception that escapes the router's processor makes the input record a dead letter {@code internal-error}. */
    public static final class Processing implements ProcessingExceptionHandler {
        private final Target target = new Target();

        @Override
        public void configure(Map<String, ?> configs) {
            target.configure(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
            LOG.debug("processing error on {}-{}@{}", context.topic(), context.partition(), context.offset(), e);
            return Response.resume(List.of(target.deadLetter(context.sourceRawKey(), context.sourceRawValue(),
                    context.topic(), context.partition(), context.offset(), "internal-error", e)));
        }
    }
}
