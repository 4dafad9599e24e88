package io.pabee.serde;

import org.apache.kafka.common.serialization.Serde;

/** How a record type goes on and off the wire; a registry-backed implementation can replace {@link AvroSerde}. */
public interface RecordSerde<T> extends Serde<T> {
    byte[] encode(T value);

    /** Decodes, or throws {@link BadRecordException} with reason not-avro, unknown-schema or corrupt-avro. */
    T decode(byte[] bytes);
}
