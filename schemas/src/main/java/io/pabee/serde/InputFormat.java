package io.pabee.serde;

/** Encodings the router accepts on its input topic. */
public enum InputFormat {
    /** Single-object Avro {@code TextEvent}. */
    AVRO,
    /** {@code {"id":..,"text":..,"text_pair":..,"patience":..,"metadata":{..}}}; the record key is the id when "id" is absent. */
    JSON,
    /** The value is the UTF-8 text and the record key the id. */
    TEXT
}
