package io.pabee.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.HiddenEncoding;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final AvroSerde<TextEvent> events = AvroSerde.of(TextEvent.class);

    private static TextEvent event() {
        return TextEvent.newBuilder().setId("e1").setText("a fine film").setTextPair("pair").setEventTime(42L)
                .setPatience(3).setMetadata(Map.of("source", "test")).build();
    }

    @Test
    void shouldRoundTripRecords() {
        assertThat(events.decode(events.encode(event()))).isEqualTo(event());
        LayerState s = LayerState.newBuilder().setId("x").setEventTime(1L).setMetadata(null).setTruncated(true)
                .setModelId("m").setModelVersion("v").setTask("SST-2").setPolicy("patience").setPatience(4)
                .setThreshold(0f).setNextLayer(7).setCounter(2).setPreviousLabel(1).setPreviousScore(Float.NaN)
                .setHidden(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).setHiddenEncoding(HiddenEncoding.FP16)
                .setTokenCount(2).setHiddenSize(1).setEnqueueTime(5L).setRouterLayers(6).build();
        assertThat(AvroSerde.of(LayerState.class).decode(AvroSerde.of(LayerState.class).encode(s))).isEqualTo(s);
        Classification c = Classification.newBuilder().setId("c").setLabel(null).setLabelIndex(-1)
                .setProbabilities(List.of()).setScore(3.5f).setExitLayer(5).setLayersRun(5).setNumLayers(12)
                .setPolicy("patience").setSetting("patience=4").setExitedAt(ExitSite.WORKER).setModelVersion("v")
                .setTruncated(false).setEventTime(1L).setEnqueueTime(2L).setExitTime(3L).setLatencyMs(2L).build();
        assertThat(AvroSerde.of(Classification.class).decode(AvroSerde.of(Classification.class).encode(c))).isEqualTo(c);
    }

    @Test
    void shouldReadAMessageWrittenWithTheOlderTextEventSchema() throws Exception {
        Schema v1;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema-history/TextEvent-v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "old-1");
        old.put("text", "written by a v1 producer");
        old.put("text_pair", null);
        old.put("event_time", 7L);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();
        assertThat(SchemaNormalization.parsingFingerprint64(v1))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(TextEvent.getClassSchema()));
        TextEvent e = events.decode(bytes);
        assertThat(e.getId()).isEqualTo("old-1");
        assertThat(e.getText()).isEqualTo("written by a v1 producer");
        assertThat(e.getEventTime()).isEqualTo(7L);
        assertThat(e.getPatience()).isNull();
        assertThat(e.getMetadata()).isNull();
    }

    @Test
    void shouldReadVersionTwoEventsAndVersionOneResultsAndContinuationsWithTheNewFieldsUnset() throws Exception {
        GenericRecord v2 = new GenericData.Record(history("TextEvent-v2.avsc"));
        v2.put("id", "old-2");
        v2.put("text", "written before latency budgets");
        v2.put("text_pair", null);
        v2.put("event_time", 9L);
        v2.put("patience", 5);
        v2.put("metadata", null);
        TextEvent e = events.decode(encode(v2));
        assertThat(e.getPatience()).isEqualTo(5);
        assertThat(e.getLatencyBudgetMs()).isNull();

        Schema c1 = history("Classification-v1.avsc");
        GenericRecord old = new GenericData.Record(c1);
        old.put("id", "r1");
        old.put("label", "positive");
        old.put("label_index", 1);
        old.put("probabilities", List.of(0.2f, 0.8f));
        old.put("score", null);
        old.put("exit_layer", 5);
        old.put("layers_run", 5);
        old.put("num_layers", 12);
        old.put("policy", "patience");
        old.put("setting", "patience=4");
        old.put("exited_at", new GenericData.EnumSymbol(c1.getField("exited_at").schema(), "ROUTER"));
        old.put("model_version", "v");
        old.put("truncated", false);
        old.put("event_time", 1L);
        old.put("enqueue_time", 2L);
        old.put("exit_time", 3L);
        old.put("latency_ms", 2L);
        Classification c = AvroSerde.of(Classification.class).decode(encode(old));
        assertThat(c.getExitLayer()).isEqualTo(5);
        assertThat(c.getPatienceUsed()).isNull();
        assertThat(c.getLoweredReason()).isNull();
        assertThat(c.getRouterLayers()).isNull();
    }

    private static Schema history(String file) throws Exception {
        try (InputStream in = AvroSerdeTest.class.getClassLoader().getResourceAsStream("schema-history/" + file)) {
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] encode(GenericRecord r) throws Exception {
        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r).array();
    }

    @Test
    void shouldNameTheReasonOfUndecodableBytes() {
        byte[] good = events.encode(event());
        byte[] unknown = good.clone();
        unknown[5] ^= 0x11;
        assertThatThrownBy(() -> events.decode(unknown)).isInstanceOf(BadRecordException.class)
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("unknown-schema"))
                .hasMessageContaining("unknown schema fingerprint");
        assertThatThrownBy(() -> events.decode(Arrays.copyOf(good, good.length - 5)))
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("corrupt-avro"));
        assertThatThrownBy(() -> events.decode(Arrays.copyOf(good, 6)))
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("corrupt-avro"));
        assertThatThrownBy(() -> events.decode("plain text".getBytes()))
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("not-avro"));
        assertThatThrownBy(() -> events.decode(new byte[0]))
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("not-avro"));
    }

    @Test
    void shouldPublishOneRecordPerSchemaVersionKeyedByFingerprint() {
        List<ProducerRecord<String, String>> recs = SchemaPublisher.records("pabee-schemas", SchemaHistory.INSTANCE);
        assertThat(recs).hasSize(12);
        assertThat(recs).extracting(ProducerRecord::key)
                .contains(SchemaHistory.hex(SchemaNormalization.parsingFingerprint64(TextEvent.getClassSchema())))
                .doesNotHaveDuplicates()
                .allMatch(k -> k.matches("[0-9a-f]{16}"));
        assertThat(recs).allMatch(r -> new Schema.Parser().parse(r.value()) != null);
    }

    @Test
    void shouldKeepTheCurrentSchemasInTheHistory() {
        // a schema change without a new history file would make older consumers' messages unreadable
        for (Schema s : List.of(TextEvent.getClassSchema(), LayerState.getClassSchema(), Classification.getClassSchema(),
                io.pabee.schema.DeadLetter.getClassSchema(), io.pabee.schema.ExitStats.getClassSchema(),
                io.pabee.schema.ShadowResult.getClassSchema())) {
            assertThat(SchemaHistory.INSTANCE.findByFingerprint(SchemaNormalization.parsingFingerprint64(s)))
                    .as("history entry for the current %s", s.getName()).isNotNull();
        }
    }
}
