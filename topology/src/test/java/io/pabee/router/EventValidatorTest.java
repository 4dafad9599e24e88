package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.schema.TextEvent;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind of event and what the validator says about it, against a model of 12 layers. */
class EventValidatorTest {
    private final EventValidator validator = new EventValidator(12, InputLimits.of(new RouterConfig(java.util.Map.of())));

    private static TextEvent event(String id, String text, String pair, Integer patience) {
        // the all-fields constructor, as a decoder of JSON input builds it: the builder refuses a null id or text
        return new TextEvent(id, text, pair, 0L, patience, null, null);
    }

    /** case, event, expected reason (null = accepted), expected id on the rejection. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("plain text", event("a", "a fine film", null, null), null, null),
                Arguments.of("text pair", event("a", "first", "second", null), null, null),
                Arguments.of("control characters are cleaned, not rejected", event("a", "bell\u0007 inside", null, null), null, null),
                Arguments.of("patience 0 = full depth", event("a", "fine", null, 0), null, null),
                Arguments.of("patience = depth", event("a", "fine", null, 12), null, null),
                Arguments.of("missing id", event(null, "fine", null, null), "missing-id", null),
                Arguments.of("blank id", event("  ", "fine", null, null), "missing-id", null),
                Arguments.of("missing text", event("a", null, null, null), "missing-text", null),
                Arguments.of("empty text", event("a", "", null, null), "empty-text", null),
                Arguments.of("whitespace text", event("a", " \t\u00a0", null, null), "empty-text", null),
                Arguments.of("zero-width text", event("a", "\u200b", null, null), "empty-text", null),
                Arguments.of("unpaired surrogate", event("a", "bad \ud800 text", null, null), "invalid-unicode", null),
                Arguments.of("empty text_pair", event("a", "first", "", null), "empty-text-pair", "a"),
                Arguments.of("whitespace text_pair", event("a", "first", "  ", null), "empty-text-pair", "a"),
                Arguments.of("negative patience", event("a", "fine", null, -1), "invalid-patience", "a"),
                Arguments.of("patience beyond depth", event("a", "fine", null, 13), "invalid-patience", "a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldAcceptOrRejectWithTheReason(String name, TextEvent event, String reason, String id) {
        Optional<EventValidator.Rejection> r = validator.check(event);
        if (reason == null) {
            assertThat(r).isEmpty();
        } else {
            assertThat(r).isPresent();
            assertThat(r.get().reason()).isEqualTo(reason);
            assertThat(r.get().id()).isEqualTo(id);
            assertThat(r.get().detail()).isNotBlank();
        }
    }
}
