package io.pabee.adaptive;

import io.pabee.config.CommonConfigs;

/**
 * The adaptive-patience settings a router or worker runs with (see the configuration table):
 * {@code enabled} switches load-driven lowering on; budgets and shadow sampling work either way.
 */
public record AdaptiveSettings(boolean enabled, long sloMs, int minPatience, double maxAccuracyDrop, long intervalMs,
                               long raiseAfterMs, double shadowSample, double agreementFloor) {
    public AdaptiveSettings {
        if (sloMs < 1 || minPatience < 1 || intervalMs < 1 || raiseAfterMs < 0) {
            throw new IllegalArgumentException("bad adaptive settings: slo " + sloMs + " ms, min patience " + minPatience
                    + ", interval " + intervalMs + " ms, raise after " + raiseAfterMs + " ms");
        }
        if (!(shadowSample >= 0 && shadowSample <= 1) || !(agreementFloor >= 0 && agreementFloor <= 1)
                || !(maxAccuracyDrop >= 0)) {
            throw new IllegalArgumentException("shadow sample, agreement floor and accuracy drop must be in [0, 1]");
        }
    }

    /** The settings in a role's parsed configuration ({@code AbstractConfig.values()}: the CommonConfigs keys). */
    public static AdaptiveSettings from(java.util.Map<String, ?> values) {
        return new AdaptiveSettings((Boolean) values.get(CommonConfigs.ADAPTIVE_CONFIG), (Long) values.get(CommonConfigs.SLO_CONFIG),
                (Integer) values.get(CommonConfigs.MIN_PATIENCE_CONFIG), (Double) values.get(CommonConfigs.MAX_ACCURACY_DROP_CONFIG),
                (Long) values.get(CommonConfigs.ADAPTIVE_INTERVAL_CONFIG), (Long) values.get(CommonConfigs.RAISE_AFTER_CONFIG),
                (Double) values.get(CommonConfigs.SHADOW_SAMPLE_CONFIG), (Double) values.get(CommonConfigs.AGREEMENT_FLOOR_CONFIG));
    }

    /** Adaptation off, no shadow runs: every record gets its configured patience. */
    public static AdaptiveSettings off() {
        return new AdaptiveSettings(false, 2000, 1, 0.015, 1000, 10_000, 0, 0.9);
    }
}
