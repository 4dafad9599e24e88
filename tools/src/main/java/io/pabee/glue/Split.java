package io.pabee.glue;

import java.util.Locale;

/** A GLUE data split and the file that holds it inside a task directory. */
public enum Split {
    TRAIN("train.tsv"),
    DEV("dev.tsv"),
    TEST("test.tsv");

    private final String fileName;

    Split(String fileName) {
        this.fileName = fileName;
    }

    /** File name inside the task directory, e.g. {@code dev.tsv}. */
    public String fileName() {
        return fileName;
    }

    /** Lower-case name as used in example ids, e.g. {@code dev}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code train}, {@code dev}/{@code validation} or {@code test}, case-insensitively. */
    public static Split parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "train" -> TRAIN;
            case "dev", "validation", "val" -> DEV;
            case "test" -> TEST;
            default -> throw new IllegalArgumentException(
                    "unknown split '" + name + "'; valid: train, dev, test");
        };
    }
}
