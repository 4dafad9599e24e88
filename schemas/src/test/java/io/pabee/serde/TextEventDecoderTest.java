package io.pabee.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.schema.TextEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextEventDecoderTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String reason(Runnable r) {
        try {
            r.run();
        } catch (BadRecordException e) {
            return e.reason();
        }
        throw new AssertionError("no BadRecordException");
    }

    @Test
    void shouldDecodeJsonWithKeyFallbackAndOptionalFields() {
        TextEventDecoder d = new TextEventDecoder(InputFormat.JSON);
        TextEvent e = d.decode(b("k1"), b("{\"text\":\"hi\",\"patience\":2,\"metadata\":{\"a\":\"b\"}}"), 99L);
        assertThat(e.getId()).isEqualTo("k1");
        assertThat(e.getPatience()).isEqualTo(2);
        assertThat(e.getEventTime()).isEqualTo(99L);
        assertThat(e.getMetadata()).containsEntry("a", "b");
        assertThat(d.decode(null, b("{\"id\":\"x\",\"text\":\"t\",\"text_pair\":\"p\"}"), 1L).getTextPair()).isEqualTo("p");
    }

    @Test
    void shouldRejectBadJsonWithReasons() {
        TextEventDecoder d = new TextEventDecoder(InputFormat.JSON);
        assertThat(reason(() -> d.decode(b("k"), b("{not json"), 1L))).isEqualTo("invalid-json");
        assertThat(reason(() -> d.decode(b("k"), b("[1,2]"), 1L))).isEqualTo("invalid-json");
        assertThat(reason(() -> d.decode(b("k"), b("{\"id\":\"x\"}"), 1L))).isEqualTo("missing-text");
        assertThat(reason(() -> d.decode(null, b("{\"text\":\"t\"}"), 1L))).isEqualTo("missing-id");
        assertThat(reason(() -> d.decode(b("k"), b("{\"text\":\"t\",\"patience\":\"three\"}"), 1L))).isEqualTo("invalid-patience");
        assertThat(reason(() -> d.decode(b("k"), b("{\"text\":\"t\",\"patience\":2.5}"), 1L))).isEqualTo("invalid-patience");
        assertThat(reason(() -> d.decode(b("k"), new byte[] {'{', (byte) 0xff, '}'}, 1L))).isEqualTo("invalid-utf8");
        assertThat(reason(() -> d.decode(b("k"), null, 1L))).isEqualTo("null-value");
    }

    @Test
    void shouldUseTheKeyAsIdForPlainText() {
        TextEventDecoder d = new TextEventDecoder(InputFormat.TEXT);
        TextEvent e = d.decode(b("id-7"), b("just a sentence"), 5L);
        assertThat(e.getId()).isEqualTo("id-7");
        assertThat(e.getText()).isEqualTo("just a sentence");
        assertThat(reason(() -> d.decode(null, b("no key"), 1L))).isEqualTo("missing-id");
        assertThat(reason(() -> d.decode(b("k"), new byte[] {(byte) 0xc3, (byte) 0x28}, 1L))).isEqualTo("invalid-utf8");
    }

    @Test
    void shouldDecodeAvroAndRejectOtherBytes() {
        TextEventDecoder d = new TextEventDecoder(InputFormat.AVRO);
        TextEvent ev = TextEvent.newBuilder().setId("a").setText("t").setTextPair(null).setEventTime(1L)
                .setPatience(null).setMetadata(null).build();
        assertThat(d.decode(null, AvroSerde.of(TextEvent.class).encode(ev), 0L)).isEqualTo(ev);
        assertThat(reason(() -> d.decode(null, b("{\"id\":\"x\",\"text\":\"json\"}"), 0L))).isEqualTo("not-avro");
    }
}
