package io.pabee.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (marker C3 01, 8-byte schema fingerprint, binary body) for a
 * generated record class; reads every released version of the schema through {@link SchemaHistory}.
 * Thread-safe: Avro's message encoder and decoder are.
 */
public final class AvroSerde<T extends SpecificRecord> implements RecordSerde<T> {
    private static final Map<Class<?>, AvroSerde<?>> CACHE = new ConcurrentHashMap<>();
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String name;

    private AvroSerde(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        this.name = schema.getFullName();
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, SchemaHistory.INSTANCE);
        for (Schema older : SchemaHistory.INSTANCE.versions(name)) {
            decoder.addSchema(older);
        }
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return (AvroSerde<T>) CACHE.computeIfAbsent(type, t -> new AvroSerde<>(type));
    }

    @Override
    public byte[] encode(T value) {
        try {
            return encoder.encode(value).array();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length < 2 || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new BadRecordException("not-avro", "not Avro single-object encoded (no C3 01 marker)");
        }
        if (bytes.length < 10) {
            throw new BadRecordException("corrupt-avro", "Avro message shorter than its 10-byte header");
        }
        Schema writer = SchemaHistory.INSTANCE.findByFingerprint(
                ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        if (writer == null) {
            throw new BadRecordException("unknown-schema", "unknown schema fingerprint " + fingerprintHex(bytes) + " for " + name);
        }
        if (!writer.getFullName().equals(name)) {
            throw new BadRecordException("unknown-schema", "schema fingerprint " + fingerprintHex(bytes) + " is "
                    + writer.getFullName() + ", not " + name);
        }
        // before Avro allocates what the body claims: every length and count must fit the bytes left
        AvroBounds.check(writer, bytes, 10);
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new BadRecordException("unknown-schema", "unknown schema fingerprint " + fingerprintHex(bytes)
                    + " for " + name, e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new BadRecordException("corrupt-avro", "corrupt " + name + " body: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    private static String fingerprintHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 2; i < 10; i++) {
            sb.append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
