package io.pabee.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.prepare.BaseModel;
import io.pabee.stage.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad and unusual text: rejected with a reason, or cleaned, truncated and flagged. */
class TextInputTest {
    private static TextTokenizer tok;

    @BeforeAll
    static void open() {
        tok = new TextTokenizer(TestModels.prepared(BaseModel.ALL_MINILM_L6_V2).tokenizer(), 16);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void shouldRejectEmptyAndWhitespaceText() {
        assertThatThrownBy(() -> TextCheck.clean("", "text")).isInstanceOf(TextCheck.RejectedText.class)
                .satisfies(e -> assertThat(((TextCheck.RejectedText) e).reason()).isEqualTo("empty-text"));
        assertThatThrownBy(() -> TextCheck.clean(" \t\n\u00a0 ", "text")).isInstanceOf(TextCheck.RejectedText.class);
        assertThatThrownBy(() -> TextCheck.clean("\u200b\u200b", "text")).isInstanceOf(TextCheck.RejectedText.class);
        assertThat(TextCheck.clean(" ok ", "text")).isEqualTo(" ok ");
        assertThatThrownBy(() -> TextCheck.clean(null, "text_pair"))
                .satisfies(e -> assertThat(((TextCheck.RejectedText) e).reason()).isEqualTo("missing-text"))
                .hasMessageContaining("text_pair");
    }

    @Test
    void shouldReplaceControlCharactersAndKeepUnicode() {
        assertThat(TextCheck.clean("a\u0000b\u0007c", "text")).isEqualTo("a b c");
        String rtlEmojiZw = "שלום 👋 zero\u200bwidth";
        assertThat(TextCheck.clean(rtlEmojiZw, "text")).isEqualTo(rtlEmojiZw);
        assertThat(tok.encode(rtlEmojiZw, null).length()).isGreaterThan(2);
    }

    @Test
    void shouldRejectUnpairedSurrogates() {
        assertThatThrownBy(() -> TextCheck.clean("bad \ud800 text", "text"))
                .satisfies(e -> assertThat(((TextCheck.RejectedText) e).reason()).isEqualTo("invalid-unicode"));
    }

    @Test
    void shouldTruncateLongTextAndFlagIt() {
        Tokens t = tok.encode("word ".repeat(200_000), null);
        assertThat(t.length()).isEqualTo(16);
        assertThat(t.truncated()).isTrue();
        Tokens s = tok.encode("short text", null);
        assertThat(s.truncated()).isFalse();
        assertThat(s.ids()[0]).isEqualTo(101L); // [CLS]
        assertThat(s.ids()[s.length() - 1]).isEqualTo(102L); // [SEP]
    }

    @Test
    void shouldMarkTheSecondSegmentOfAPair() {
        Tokens t = tok.encode("first part", "second part");
        assertThat(t.typeIds()[0]).isZero();
        assertThat(t.typeIds()[t.length() - 1]).isEqualTo(1L);
        assertThat(t.ids()).containsSequence(102L); // separator between the segments
    }

    @Test
    void shouldNotPadEvenWhenTheTokenizerFileSaysSo() {
        // MiniLM's tokenizer.json pads to 128; the encoder pads per batch instead
        assertThat(tok.encode("hello", null).length()).isEqualTo(3);
    }
}
