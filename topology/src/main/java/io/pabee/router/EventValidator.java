package io.pabee.router;

import io.pabee.schema.TextEvent;
import io.pabee.tokenize.TextCheck;
import java.util.Optional;

/**
 * The checks a decoded event must pass before it is buffered: an id, classifiable texts and a
 * patience within the model's depth. Pure: no model, no store, no clock.
 */
final class EventValidator {
    private final int numLayers;

    /** Validates against a model with {@code numLayers} encoder layers (the largest allowed patience). */
    EventValidator(int numLayers) {
        this.numLayers = numLayers;
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
        return Optional.empty();
    }

    private static Optional<Rejection> reject(String id, String reason, String detail) {
        return Optional.of(new Rejection(id, reason, detail));
    }
}
