package io.pabee.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.schema.DeadLetter;
import io.pabee.schema.TextEvent;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * Records that claim more than they hold are rejected before anything is allocated for them: the
 * 18-byte and 69-byte records of issue 14 allocated 2 GiB and 4 GiB in the router.
 */
class BoundedDecodingTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final TextEventDecoder avro = new TextEventDecoder(InputFormat.AVRO);

    private static void header(ByteArrayOutputStream out) {
        out.write(0xC3);
        out.write(0x01);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(SchemaNormalization.parsingFingerprint64(TextEvent.getClassSchema())).array());
    }

    /** Avro's zig-zag varint. */
    private static void varint(ByteArrayOutputStream out, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
    }

    /** Header, a known fingerprint, then an id whose length is 0x7FFFFFF0: 18 bytes. */
    static byte[] stringBomb() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out);
        varint(out, 0x7FFFFFF0L);
        out.writeBytes(new byte[] {'a', 'b', 'c'});
        return out.toByteArray();
    }

    /** A valid start of a TextEvent whose metadata map claims 0x7FFFFFF7 entries, padded to 69 bytes. */
    static byte[] mapBomb() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out);
        varint(out, 2);
        out.writeBytes("id".getBytes(StandardCharsets.UTF_8));
        varint(out, 4);
        out.writeBytes("text".getBytes(StandardCharsets.UTF_8));
        varint(out, 0); // text_pair: null
        varint(out, 1_700_000_000_000L); // event_time
        varint(out, 0); // patience: null
        varint(out, 1); // metadata: the map branch
        varint(out, 0x7FFFFFF7L); // block count
        while (out.size() < 69) {
            out.write('k');
        }
        return out.toByteArray();
    }

    private static long allocatedBy(Runnable r) {
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        r.run();
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }

    @Test
    void shouldRejectTheStringBombWithoutAllocatingIt() {
        byte[] bomb = stringBomb();
        assertThat(bomb).hasSize(18);
        avro.decode(null, AvroSerde.of(TextEvent.class).encode(event("warm-up", Map.of("k", "v"))), 0); // class loading
        long bytes = allocatedBy(() -> assertThatThrownBy(() -> avro.decode(null, bomb, 0))
                .isInstanceOf(BadRecordException.class)
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("corrupt-avro")));
        assertThat(bytes).as("bytes allocated decoding the 18-byte record").isLessThan(1_000_000L);
    }

    @Test
    void shouldRejectTheMapBombWithoutAllocatingIt() {
        byte[] bomb = mapBomb();
        assertThat(bomb).hasSize(69);
        avro.decode(null, AvroSerde.of(TextEvent.class).encode(event("warm-up", Map.of("k", "v"))), 0);
        long bytes = allocatedBy(() -> assertThatThrownBy(() -> avro.decode(null, bomb, 0))
                .isInstanceOf(BadRecordException.class)
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("corrupt-avro")));
        assertThat(bytes).as("bytes allocated decoding the 69-byte record").isLessThan(1_000_000L);
    }

    @Test
    void shouldStillDecodeValidEventsWithMetadataAndLongTexts() {
        TextEvent e = event("x".repeat(300), Map.of("a", "1", "b", "2".repeat(10_000)));
        assertThat(avro.decode(null, AvroSerde.of(TextEvent.class).encode(e), 0)).isEqualTo(e);
    }

    @Test
    void shouldRejectEveryTruncationOfAValidEvent() {
        byte[] ok = AvroSerde.of(TextEvent.class).encode(event("some text", Map.of("k", "v")));
        for (int n = 10; n < ok.length; n++) {
            byte[] cut = Arrays.copyOf(ok, n);
            assertThatThrownBy(() -> avro.decode(null, cut, 0)).as("first %d bytes", n).isInstanceOf(BadRecordException.class);
        }
    }

    @Test
    void shouldRejectDeeplyNestedJson() {
        TextEventDecoder json = new TextEventDecoder(InputFormat.JSON);
        String deep = "{\"id\":\"d\",\"text\":\"t\",\"metadata\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
        assertThatThrownBy(() -> json.decode(null, deep.getBytes(StandardCharsets.UTF_8), 0))
                .isInstanceOf(BadRecordException.class)
                .satisfies(e -> assertThat(((BadRecordException) e).reason()).isEqualTo("invalid-json"));
        String longNumber = "{\"id\":\"n\",\"text\":\"t\",\"event_time\":" + "9".repeat(10_000) + "}";
        assertThatThrownBy(() -> json.decode(null, longNumber.getBytes(StandardCharsets.UTF_8), 0))
                .isInstanceOf(BadRecordException.class);
    }

    @Test
    void shouldBoundADeadLetterWhateverTheInputSize() {
        byte[] big = new byte[1_048_440];
        Arrays.fill(big, (byte) 'x');
        DeadLetter d = DeadLetters.of("k".repeat(10_000).getBytes(StandardCharsets.UTF_8), big, 4096, "not-avro",
                        "line one " + "y".repeat(5000) + "\nline two")
                .setId(null).setStage("router").setSourceTopic("t").setSourcePartition(0).setSourceOffset(1L).setTime(2L)
                .build();
        byte[] encoded = AvroSerde.of(DeadLetter.class).encode(d);
        assertThat(encoded.length).isLessThan(2 * 4096 + DeadLetters.FIXED_OVERHEAD_BYTES);
        assertThat(d.getOriginalValue().remaining()).isEqualTo(4096);
        assertThat(d.getOriginalValueLength()).isEqualTo(big.length);
        assertThat(d.getOriginalKeyLength()).isEqualTo(10_000);
        assertThat(d.getOriginalValueSha256()).isEqualTo(DeadLetters.sha256(big)).hasSize(64);
        assertThat(d.getDetail()).startsWith("line one").doesNotContain("line two").hasSizeLessThanOrEqualTo(501);
    }

    private static TextEvent event(String text, Map<String, String> meta) {
        return TextEvent.newBuilder().setId("id-1").setText(text).setTextPair(null).setPatience(null)
                .setEventTime(1L).setMetadata(meta).build();
    }
}
