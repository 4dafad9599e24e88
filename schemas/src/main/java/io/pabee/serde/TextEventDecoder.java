package io.pabee.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.schema.TextEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns an input record (key, value, timestamp) into a {@link TextEvent}, or a {@link BadRecordException} with the reason. */
public final class TextEventDecoder {
    /**
     * Bounded parsing: an event is a flat object with one nested metadata object, so deep nesting, long
     * numbers or names are input errors, not work; strings are bounded by the router's event size limit
     * (checked before decoding) and here by Jackson's own cap.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64)
                    .maxNameLength(4096).maxStringLength(16 * 1024 * 1024).maxDocumentLength(64L * 1024 * 1024).build())
            .build());
    private final InputFormat format;

    public TextEventDecoder(InputFormat format) {
        this.format = format;
    }

    public InputFormat format() {
        return format;
    }

    public TextEvent decode(byte[] key, byte[] value, long timestamp) {
        if (value == null) {
            throw new BadRecordException("null-value", "record has no value");
        }
        return switch (format) {
            case AVRO -> AvroSerde.of(TextEvent.class).decode(value);
            case TEXT -> {
                String id = key == null ? null : utf8(key, "key");
                if (id == null || id.isBlank()) {
                    throw new BadRecordException("missing-id", "text records need the id as the record key");
                }
                yield TextEvent.newBuilder().setId(id).setText(utf8(value, "value")).setTextPair(null)
                        .setEventTime(timestamp).setPatience(null).setMetadata(null).build();
            }
            case JSON -> json(key, value, timestamp);
        };
    }

    private static TextEvent json(byte[] key, byte[] value, long timestamp) {
        JsonNode n;
        try {
            n = JSON.readTree(utf8(value, "value"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRecordException("invalid-json", "value is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new BadRecordException("invalid-json", "value is not a JSON object");
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual()) {
            throw new BadRecordException("missing-text", "JSON has no string field \"text\"");
        }
        String id = n.hasNonNull("id") ? n.get("id").asText() : key == null ? null : utf8(key, "key");
        if (id == null || id.isBlank()) {
            throw new BadRecordException("missing-id", "JSON has no \"id\" and the record has no key");
        }
        Integer patience = null;
        if (n.hasNonNull("patience")) {
            if (!n.get("patience").canConvertToExactIntegral() || !n.get("patience").canConvertToInt()) {
                throw new BadRecordException("invalid-patience", "patience must be an integer, got " + n.get("patience"));
            }
            patience = n.get("patience").asInt();
        }
        Long budget = null;
        if (n.hasNonNull("latency_budget_ms")) {
            if (!n.get("latency_budget_ms").canConvertToExactIntegral() || !n.get("latency_budget_ms").canConvertToLong()) {
                throw new BadRecordException("invalid-budget", "latency_budget_ms must be an integer, got " + n.get("latency_budget_ms"));
            }
            budget = n.get("latency_budget_ms").asLong();
        }
        Map<String, String> meta = null;
        if (n.hasNonNull("metadata") && n.get("metadata").isObject()) {
            meta = new LinkedHashMap<>();
            Map<String, String> m = meta;
            n.get("metadata").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return TextEvent.newBuilder().setId(id).setText(text.asText())
                .setTextPair(n.hasNonNull("text_pair") ? n.get("text_pair").asText() : null)
                .setEventTime(n.hasNonNull("event_time") ? n.get("event_time").asLong() : timestamp)
                .setPatience(patience).setMetadata(meta).setLatencyBudgetMs(budget).build();
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRecordException("invalid-utf8", "record " + what + " is not valid UTF-8");
        }
    }
}
