package io.pabee.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Word-piece tokenization with the model's own {@code tokenizer.json}, offline, truncating to the
 * maximum length and never padding (the encoder pads each batch itself).
 */
public final class TextTokenizer implements AutoCloseable {
    static {
        // DJL otherwise phones home (usage tracking, cloud metadata lookups); nothing may leave this host.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    public TextTokenizer(Path tokenizerJson, int maxLength) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("max sequence length must be at least 3, got " + maxLength);
        }
        this.maxLength = maxLength;
        try {
            // builder() would re-read the padding section of tokenizer.json (MiniLM's pads to 128); options override it.
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optMaxLength(maxLength)
                    .optTruncation(true)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * Tokenizes one text or a text pair ({@code pair} may be null). Validation of the text itself
     * (empty, control characters) is the caller's job: see {@link TextCheck}.
     */
    public Tokens encode(String text, String pair) {
        Encoding e = pair == null ? tokenizer.encode(text) : tokenizer.encode(text, pair);
        long[] ids = e.getIds();
        long[] types = e.getTypeIds();
        return new Tokens(ids, types, e.exceedMaxLength());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
