package io.pabee.tokenize;

/** One tokenized record: word-piece ids and segment ids of the real tokens only, no padding. */
public record Tokens(long[] ids, long[] typeIds, boolean truncated) {

    public Tokens {
        if (ids.length == 0 || ids.length != typeIds.length) {
            throw new IllegalArgumentException("token ids and type ids must be non-empty and equally long");
        }
    }

    public int length() {
        return ids.length;
    }
}
