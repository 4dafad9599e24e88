package io.pabee.router;

/** The size limits every event is checked against before it is buffered (see the {@code pabee.limit.*} settings). */
record InputLimits(int eventBytes, int idChars, int textChars, int pairChars, int metadataEntries, int metadataBytes,
                   int deadLetterPrefix) {

    static InputLimits of(RouterConfig cfg) {
        return new InputLimits(cfg.getInt(RouterConfig.LIMIT_EVENT_BYTES_CONFIG), cfg.getInt(RouterConfig.LIMIT_ID_CHARS_CONFIG),
                cfg.getInt(RouterConfig.LIMIT_TEXT_CHARS_CONFIG), cfg.getInt(RouterConfig.LIMIT_TEXT_PAIR_CHARS_CONFIG),
                cfg.getInt(RouterConfig.LIMIT_METADATA_ENTRIES_CONFIG), cfg.getInt(RouterConfig.LIMIT_METADATA_BYTES_CONFIG),
                cfg.getInt(RouterConfig.DEAD_LETTER_PREFIX_CONFIG));
    }

    /** Most UTF-8 bytes of a valid id: three per char (a surrogate pair is four bytes for two chars). */
    int idBytes() {
        return 3 * idChars;
    }
}
