package io.pabee.router;

import io.pabee.schema.TextEvent;
import io.pabee.tokenize.TextCheck;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The checks a decoded event must pass before it is buffered: a valid id, classifiable texts, sizes
 * within the limits and a patience within the model's depth. Pure: no model, no store, no clock.
 */
final class EventValidator {
    private final int numLayers;
    private final InputLimits limits;

    /** Validates against a model with {@code numLayers} encoder layers (the largest allowed patience). */
    EventValidator(int numLayers, InputLimits limits) {
        this.numLayers = numLayers;
        this.limits = limits;
    }

    /** Why the event cannot be classified: {@code id} (null when unknown), a short reason and a detail. */
    record Rejection(String id, String reason, String detail) {
    }

    /** Empty when the event may be classified, else why not. */
    Optional<Rejection> check(TextEvent e) {
        String id = e.getId();
        if (id == null || id.isBlank()) {
            return reject(null, "missing-id", "event has no id");
        }
        String badId = idProblem(id);
        if (badId != null) {
            // never rewritten: the producer must see its own id again, so an id we cannot carry is refused whole
            return reject(null, "invalid-id", badId);
        }
        if (e.getText() != null && e.getText().length() > limits.textChars()) {
            return reject(id, "too-large", "text has " + e.getText().length() + " characters, limit " + limits.textChars());
        }
        if (e.getTextPair() != null && e.getTextPair().length() > limits.pairChars()) {
            return reject(id, "too-large", "text_pair has " + e.getTextPair().length() + " characters, limit "
                    + limits.pairChars());
        }
        Map<String, String> meta = e.getMetadata();
        if (meta != null) {
            if (meta.size() > limits.metadataEntries()) {
                return reject(id, "too-large", "metadata has " + meta.size() + " entries, limit " + limits.metadataEntries());
            }
            long bytes = 0;
            for (Map.Entry<String, String> m : meta.entrySet()) {
                bytes += utf8Length(m.getKey()) + utf8Length(m.getValue());
            }
            if (bytes > limits.metadataBytes()) {
                return reject(id, "too-large", "metadata has " + bytes + " bytes, limit " + limits.metadataBytes());
            }
        }
        try {
            TextCheck.clean(e.getText(), "text");
        } catch (TextCheck.RejectedText r) {
            return reject(null, r.reason(), r.getMessage());
        }
        if (e.getTextPair() != null) {
            try {
                TextCheck.clean(e.getTextPair(), "text_pair");
            } catch (TextCheck.RejectedText r) {
                return reject(id, "empty-text-pair", "text_pair is given but empty or whitespace only");
            }
        }
        Integer p = e.getPatience();
        if (p != null && (p < 0 || p > numLayers)) {
            return reject(id, "invalid-patience", "patience " + p + " is outside 0.." + numLayers);
        }
        Long budget = e.getLatencyBudgetMs();
        if (budget != null && budget < 0) {
            return reject(id, "invalid-budget", "latency_budget_ms " + budget + " is negative");
        }
        return Optional.empty();
    }

    /** Why {@code id} cannot be carried unchanged to results and dead letters, or null. */
    private String idProblem(String id) {
        if (id.length() > limits.idChars()) {
            return "id has " + id.length() + " characters, limit " + limits.idChars();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "id has an unpaired surrogate at index " + i;
            } else if (Character.getType(c) == Character.CONTROL) {
                return String.format("id has control character U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }

    private static long utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Optional<Rejection> reject(String id, String reason, String detail) {
        return Optional.of(new Rejection(id, reason, detail));
    }
}
