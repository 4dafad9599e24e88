package io.pabee.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** The command line a command was run with, as a reader would retype it (a file's {@code source}). */
final class Invocation {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@+-]+");

    private Invocation() {
    }

    /** {@code ops/pabee <command path> <given options>}, e.g. {@code ops/pabee models profile --task SST-2}. */
    static String of(CommandLine.Model.CommandSpec spec) {
        List<String> words = new ArrayList<>();
        words.add("ops/pabee");
        List<String> path = new ArrayList<>();
        for (CommandLine c = spec.commandLine(); c.getParent() != null; c = c.getParent()) {
            path.add(0, c.getCommandName());
        }
        words.addAll(path);
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            words.add(o.longestName());
            for (String v : o.originalStringValues()) {
                if (!o.typeInfo().isBoolean()) {
                    words.add(PLAIN.matcher(v).matches() ? v : "'" + v.replace("'", "'\\''") + "'");
                }
            }
        }
        return String.join(" ", words);
    }
}
