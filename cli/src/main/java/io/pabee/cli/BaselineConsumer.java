package io.pabee.cli;

import io.pabee.bench.MonolithicClassifier;
import io.pabee.patience.HeadOutput;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ExitSite;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.BadRecordException;
import io.pabee.serde.DeadLetters;
import io.pabee.serde.InputFormat;
import io.pabee.serde.TextEventDecoder;
import io.pabee.tokenize.TextCheck;
import io.pabee.tokenize.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The program a user writes instead of PABEE: a read_committed consumer, and for each poll the
 * records in arrival order, in batches of {@code batchSize}, through the monolithic model and the
 * last layer's head, the results and the poll's offsets in one transaction (exactly-once). Bad input
 * goes to the dead-letter topic with its reason. Counts the time of each phase, for benchmarks.
 */
final class BaselineConsumer implements Runnable {
    /** Where the loop's time goes: the phases it counts, in order. */
    enum Phase { POLL, DECODE_TOKENIZE, ONNX_HEAD, PRODUCE, COMMIT }

    /** Topics, group and transactional id of one baseline consumer. */
    record Settings(String inputTopic, String resultsTopic, String deadLetterTopic, String group, String transactionalId,
                    int batchSize) {
    }

    private static final int MAX_ABORTS_IN_A_ROW = 3;

    private final Properties client;
    private final Settings s;
    private final MonolithicClassifier model;
    private final TextEventDecoder decoder = new TextEventDecoder(InputFormat.AVRO);
    private final AtomicLongArray phaseNanos = new AtomicLongArray(Phase.values().length);
    private volatile boolean closed;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** {@code client} holds bootstrap.servers (and any other client settings); the caller owns {@code model}. */
    BaselineConsumer(Properties client, Settings s, MonolithicClassifier model) {
        this.client = client;
        this.s = s;
        this.model = model;
    }

    /** Nanoseconds spent so far in each phase (polls that returned nothing are not counted). */
    long[] phaseNanos() {
        long[] out = new long[phaseNanos.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = phaseNanos.get(i);
        }
        return out;
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer = c;
            p.initTransactions();
            c.subscribe(List.of(s.inputTopic()));
            int aborts = 0;
            while (!closed) {
                long t0 = System.nanoTime();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                if (records.isEmpty()) {
                    continue;
                }
                add(Phase.POLL, t0);
                p.beginTransaction();
                try {
                    process(records, p);
                    long t1 = System.nanoTime();
                    p.sendOffsetsToTransaction(nextOffsets(records), c.groupMetadata());
                    p.commitTransaction();
                    add(Phase.COMMIT, t1);
                    aborts = 0;
                } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                    throw e; // another producer owns our id, or we may not write: nothing to retry
                } catch (RuntimeException e) {
                    // abort and read the poll again from the committed offsets; a failure that repeats stops the program
                    p.abortTransaction();
                    if (++aborts > MAX_ABORTS_IN_A_ROW) {
                        throw e;
                    }
                    rewind(c, records);
                }
            }
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records, KafkaProducer<byte[], byte[]> p) {
        long t0 = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> sources = new ArrayList<>();
        List<TextEvent> events = new ArrayList<>();
        List<Tokens> tokens = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                TextEvent e = decoder.decode(r.key(), r.value(), r.timestamp());
                String text = TextCheck.clean(e.getText(), "text");
                String pair = e.getTextPair() == null ? null : TextCheck.clean(e.getTextPair(), "text_pair");
                tokens.add(model.tokenize(text, pair));
                events.add(e);
                sources.add(r);
            } catch (BadRecordException e) {
                deadLetter(p, r, e.reason(), e.getMessage());
            } catch (TextCheck.RejectedText e) {
                deadLetter(p, r, e.reason(), e.getMessage());
            }
        }
        add(Phase.DECODE_TOKENIZE, t0);
        for (int i = 0; i < tokens.size(); i += s.batchSize()) {
            int end = Math.min(tokens.size(), i + s.batchSize());
            long t1 = System.nanoTime();
            List<HeadOutput> outs = model.classify(tokens.subList(i, end));
            long t2 = System.nanoTime();
            phaseNanos.addAndGet(Phase.ONNX_HEAD.ordinal(), t2 - t1);
            long now = System.currentTimeMillis();
            for (int j = i; j < end; j++) {
                TextEvent e = events.get(j);
                Classification out = model.result(e.getId(), tokens.get(j), outs.get(j - i), ExitSite.WORKER, e.getEventTime(), now);
                p.send(new ProducerRecord<>(s.resultsTopic(), e.getId().getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(Classification.class).encode(out)));
            }
            add(Phase.PRODUCE, t2);
        }
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, String reason, String detail) {
        DeadLetter d = DeadLetters.of(r.key(), r.value(), 1024, reason, detail)
                .setId(r.key() == null ? null : DeadLetters.boundedId(new String(r.key(), StandardCharsets.UTF_8), 1024))
                .setStage("baseline")
                .setSourceTopic(r.topic())
                .setSourcePartition(r.partition())
                .setSourceOffset(r.offset())
                .setTime(System.currentTimeMillis())
                .build();
        p.send(new ProducerRecord<>(s.deadLetterTopic(), r.key(), AvroSerde.of(DeadLetter.class).encode(d)));
    }

    private void add(Phase phase, long since) {
        phaseNanos.addAndGet(phase.ordinal(), System.nanoTime() - since);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return out;
    }

    private static void rewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(records.partitions());
        for (TopicPartition tp : records.partitions()) {
            OffsetAndMetadata o = committed.get(tp);
            c.seek(tp, o != null ? o.offset() : records.records(tp).get(0).offset());
        }
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, s.group());
        // only committed input is work; offsets are committed inside our transactions, never automatically
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.putAll(client);
        // a stable id fences a zombie of this program; results and offsets commit together
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, s.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    /** Stops after the current poll and closes the clients. */
    void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Seconds per phase between two {@link #phaseNanos()} readings, by phase name in lower case. */
    static Map<String, Double> seconds(long[] before, long[] after) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Phase ph : Phase.values()) {
            out.put(ph.name().toLowerCase(java.util.Locale.ROOT), (after[ph.ordinal()] - before[ph.ordinal()]) / 1e9);
        }
        return out;
    }
}
