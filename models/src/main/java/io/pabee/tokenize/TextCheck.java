package io.pabee.tokenize;

/** Validates and cleans input text before tokenization; rejects what cannot be classified with a reason. */
public final class TextCheck {
    private TextCheck() {
    }

    /** Why a text was rejected. */
    public static final class RejectedText extends IllegalArgumentException {
        private final String reason;

        public RejectedText(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** A short machine-readable reason, e.g. {@code empty-text}, used as a metric tag and dead-letter reason. */
        public String reason() {
            return reason;
        }
    }

    /**
     * Returns the text with control characters (other than tab and newline) replaced by spaces;
     * rejects null, empty and whitespace-only (or zero-width-only) text, and text with unpaired surrogates.
     */
    public static String clean(String text, String field) {
        if (text == null) {
            throw new RejectedText("missing-text", field + " is missing");
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new RejectedText("invalid-unicode", field + " has an unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new RejectedText("invalid-unicode", field + " has an unpaired surrogate at index " + i);
            }
            if (Character.isISOControl(c) && c != '\t' && c != '\n') {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, ' ');
            }
        }
        String out = sb == null ? text : sb.toString();
        if (out.codePoints().allMatch(TextCheck::invisible)) {
            throw new RejectedText("empty-text", field + " is empty or whitespace only");
        }
        return out;
    }

    /** Whitespace of any kind (incl. no-break spaces) and format characters such as zero-width spaces. */
    private static boolean invisible(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.getType(cp) == Character.FORMAT;
    }
}
