package io.pabee.cli;

import io.pabee.glue.GlueExample;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Texts to classify as the Avro text events producers send: the one place demo and benchmarks build them. */
final class TextEvents {
    /** One text to classify; {@code label} is -1 when unknown. */
    record Item(String id, String text, String pair, int label) {
        /** A GLUE example under id {@code idPrefix + id} (ids must be fresh: the router drops repeats). */
        static Item of(String idPrefix, GlueExample e) {
            return new Item(idPrefix + e.id(), e.text(), e.textPair(), e.label());
        }
    }

    private TextEvents() {
    }

    static List<Item> items(String idPrefix, List<GlueExample> examples) {
        return examples.stream().map(e -> Item.of(idPrefix, e)).toList();
    }

    /** The items as records for {@code topic}, keyed by id, all with the same event time (now). */
    static List<ProducerRecord<byte[], byte[]>> records(String topic, List<Item> items) {
        List<ProducerRecord<byte[], byte[]>> recs = new ArrayList<>(items.size());
        long now = System.currentTimeMillis();
        for (Item it : items) {
            recs.add(record(topic, null, it, now));
        }
        return recs;
    }

    /** One item as a record for {@code topic}, keyed by id; {@code partition} null lets the producer choose. */
    static ProducerRecord<byte[], byte[]> record(String topic, Integer partition, Item it, long eventTime) {
        TextEvent e = TextEvent.newBuilder().setId(it.id()).setText(it.text()).setTextPair(it.pair())
                .setEventTime(eventTime).setPatience(null).setMetadata(null).build();
        return new ProducerRecord<>(topic, partition, it.id().getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e));
    }
}
