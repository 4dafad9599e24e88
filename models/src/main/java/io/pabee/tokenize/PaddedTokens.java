package io.pabee.tokenize;

import java.util.List;

/**
 * A batch of tokenized records as flat row-major arrays [records][tokens], padded with zeros to its longest
 * record: word-piece ids, segment ids and the attention mask (1 for real tokens), as BERT graphs take them.
 */
public record PaddedTokens(long[] ids, long[] typeIds, long[] mask, int records, int tokens) {

    public static PaddedTokens of(List<Tokens> batch) {
        int b = batch.size();
        int t = batch.stream().mapToInt(Tokens::length).max().orElse(0);
        long[] ids = new long[b * t];
        long[] types = new long[b * t];
        long[] mask = new long[b * t];
        for (int r = 0; r < b; r++) {
            Tokens x = batch.get(r);
            System.arraycopy(x.ids(), 0, ids, r * t, x.length());
            System.arraycopy(x.typeIds(), 0, types, r * t, x.length());
            java.util.Arrays.fill(mask, r * t, r * t + x.length(), 1L);
        }
        return new PaddedTokens(ids, types, mask, b, t);
    }

    /** The {@code [records, tokens]} shape of each array. */
    public long[] shape() {
        return new long[] {records, tokens};
    }
}
