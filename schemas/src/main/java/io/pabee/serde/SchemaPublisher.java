package io.pabee.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes every schema version to a compacted topic keyed by its hex fingerprint, so consumers in
 * other languages can resolve the fingerprint in each single-object-encoded message.
 */
public final class SchemaPublisher {
    private SchemaPublisher() {
    }

    /** One record per known schema version: key = 16 hex digits of the CRC-64-AVRO fingerprint, value = schema JSON. */
    public static List<ProducerRecord<String, String>> records(String topic, SchemaHistory history) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (Map.Entry<Long, Schema> e : history.all().entrySet()) {
            out.add(new ProducerRecord<>(topic, SchemaHistory.hex(e.getKey()), e.getValue().toString()));
        }
        return out;
    }

    /** Sends the records and waits for the broker to acknowledge them (the topic is created by the caller). */
    public static int publish(Properties clientConfig, String topic) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<ProducerRecord<String, String>> recs = records(topic, SchemaHistory.INSTANCE);
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<String, String> r : recs) {
                acks.add(producer.send(r));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get();
            }
            return recs.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing schemas", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish schemas to " + topic + ": " + e.getCause().getMessage(), e);
        }
    }
}
