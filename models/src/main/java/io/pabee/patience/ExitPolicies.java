package io.pabee.patience;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds exit policies from command-line style names and settings. */
public final class ExitPolicies {

    /** Policy names {@link #parse} accepts, in the order error messages list them. */
    public static final List<String> NAMES = List.of("patience", "fixed", "entropy", "confidence", "vote");

    private ExitPolicies() {
    }

    /** One policy without a regression threshold, e.g. {@code parse("patience", "3")}; vote takes a blank setting. */
    public static ExitPolicy parse(String policy, String setting) {
        return parse(policy, setting, null);
    }

    /**
     * One policy; {@code regressionThreshold} (nullable) is PABEE's |Δ| threshold for regression heads
     * and is rejected for other policies so that a misplaced flag is not silently ignored.
     */
    public static ExitPolicy parse(String policy, String setting, Float regressionThreshold) {
        String name = normalise(policy);
        if (regressionThreshold != null && !name.equals("patience")) {
            throw new IllegalArgumentException(
                    "a regression threshold only applies to the patience policy, not '" + name + "'");
        }
        String value = setting == null ? "" : setting.trim();
        if (name.equals("vote")) {
            if (!value.isEmpty()) {
                throw new IllegalArgumentException("policy 'vote' takes no setting, got '" + value + "'");
            }
            return new VotePolicy();
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("policy '" + name + "' needs a setting, e.g. " + example(name));
        }
        return switch (name) {
            case "patience" -> regressionThreshold == null
                    ? new PatiencePolicy(parseInt(name, value))
                    : new PatiencePolicy(parseInt(name, value), regressionThreshold);
            case "fixed" -> new FixedDepthPolicy(parseInt(name, value));
            case "entropy" -> new EntropyPolicy(parseFloat(name, value));
            case "confidence" -> new ConfidencePolicy(parseFloat(name, value));
            default -> throw new AssertionError(name); // normalise() admits only NAMES
        };
    }

    /**
     * One policy per comma-separated setting, e.g. {@code parseList("entropy", "0.1,0.3", null)};
     * vote takes no settings and yields a single policy.
     */
    public static List<ExitPolicy> parseList(String policy, String commaSeparatedSettings, Float regressionThreshold) {
        String name = normalise(policy);
        String all = commaSeparatedSettings == null ? "" : commaSeparatedSettings.trim();
        if (name.equals("vote") || all.isEmpty()) {
            return List.of(parse(name, all, regressionThreshold));
        }
        List<ExitPolicy> policies = new ArrayList<>();
        for (String item : all.split(",", -1)) {
            if (item.isBlank()) {
                throw new IllegalArgumentException("empty item in " + name + " settings '" + all
                        + "', expected a comma-separated list, e.g. " + example(name));
            }
            policies.add(parse(name, item, regressionThreshold));
        }
        return List.copyOf(policies);
    }

    private static String normalise(String policy) {
        String name = policy == null ? "" : policy.trim().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(
                    "unknown policy '" + policy + "'; valid policies: " + String.join(", ", NAMES));
        }
        return name;
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " setting '" + value + "' is not an integer, e.g. " + example(name));
        }
    }

    private static float parseFloat(String name, String value) {
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " setting '" + value + "' is not a number, e.g. " + example(name));
        }
    }

    private static String example(String name) {
        return switch (name) {
            case "patience" -> "--patience 1,2,3";
            case "fixed" -> "--k 2,4,6";
            case "entropy" -> "--thresholds 0.1,0.3";
            case "confidence" -> "--thresholds 0.8,0.9";
            default -> "(none)";
        };
    }
}
