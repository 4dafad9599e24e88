package io.pabee.stage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Real and computed token positions per stage of one role ({@code pabee_<role>_tokens_total{layer,kind}}) and the gauge
 * {@code pabee_<role>_padding_efficiency}: real / computed over the encoder layers (stage 0, the embeddings, left out).
 */
public final class PaddingMeter {
    private PaddingMeter() {
    }

    /** Adds one run's token counts to {@code role}'s counters and registers its gauge once per registry. */
    public static void record(MeterRegistry metrics, String role, EarlyExitRunner.Stats stats) {
        String tokens = "pabee_" + role + "_tokens_total";
        for (int l = 0; l < stats.computedTokens.length; l++) {
            if (stats.computedTokens[l] > 0) {
                String layer = Integer.toString(l);
                metrics.counter(tokens, "layer", layer, "kind", "real").increment(stats.realTokens[l]);
                metrics.counter(tokens, "layer", layer, "kind", "computed").increment(stats.computedTokens[l]);
            }
        }
        // one gauge per registry, reading the counters, so the calls of every task or worker thread count
        String gauge = "pabee_" + role + "_padding_efficiency";
        if (metrics.find(gauge).gauge() == null) {
            Gauge.builder(gauge, metrics, m -> encoderTokens(m, tokens, "real") / encoderTokens(m, tokens, "computed"))
                    .description("real tokens / computed tokens (records x padded length) of the encoder layers")
                    .strongReference(true)
                    .register(metrics);
        }
    }

    private static double encoderTokens(MeterRegistry metrics, String name, String kind) {
        return metrics.find(name).tag("kind", kind).counters().stream()
                .filter(c -> !"0".equals(c.getId().getTag("layer"))).mapToDouble(Counter::count).sum();
    }
}
