package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.adaptive.PatienceController;
import io.pabee.adaptive.RouterLayers;
import io.pabee.stage.LayerModel;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a router process adapts at run time, shared by all its tasks: the patience each record gets
 * (load controller and latency budgets) and K, the layers it runs before forwarding. The role creates
 * it, hands it to {@link RouterTopology#build}, points it at the streams instance for the input lag
 * ({@link #watch}) and closes it after the streams instance.
 */
public final class RouterControls implements AutoCloseable {
    /** How far back the controller looks at shadow agreement. */
    public static final long AGREEMENT_SPAN_MS = 60_000;

    private final AdaptivePatience patience;
    private final RouterLayers layers;

    public RouterControls(AdaptivePatience patience, RouterLayers layers) {
        this.patience = patience;
        this.layers = layers;
    }

    /**
     * The controls {@code cfg} asks for over {@code model}: the task's patience profile from the model
     * directory when there is one, K at {@code pabee.router.layers} (fixed unless {@code pabee.adaptive.router.layers}).
     */
    public static RouterControls of(RouterConfig cfg, LayerModel model, MeterRegistry metrics) {
        AdaptivePatience p = AdaptivePatience.forRole("router", cfg.values(), model.numLayers(), metrics);
        return new RouterControls(p, cfg.routerLayers(model.numLayers()));
    }

    public AdaptivePatience patience() {
        return patience;
    }

    public RouterLayers layers() {
        return layers;
    }

    /**
     * Lets the controller read the shadow agreement of lowered records over the last {@link #AGREEMENT_SPAN_MS}
     * from {@code window} (filled by the shadow listener), so it never trades below the agreement floor.
     */
    public RouterControls agreement(AgreementWindow window) {
        patience.agreementSource(() -> {
            AgreementWindow.Agreement a = window.agreement(System.currentTimeMillis() - AGREEMENT_SPAN_MS);
            return new PatienceController.AgreementReading(a.loweredCount(), a.loweredShare());
        });
        return this;
    }

    /**
     * Counts the input records {@code streams} has not fetched yet (its consumers' {@code records-lag}
     * on {@code inputTopic}) as backlog, and starts the controller.
     */
    public RouterControls watch(KafkaStreams streams, String inputTopic) {
        patience.backlogSource(() -> inputLag(streams.metrics(), inputTopic));
        patience.start();
        return this;
    }

    /** The sum of {@code records-lag} over the input topic's partitions; 0 when not known yet. */
    static long inputLag(Map<MetricName, ? extends Metric> metrics, String inputTopic) {
        long lag = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            String topic = n.tags().get("topic");
            // older clients name the topic with '.' replaced by '_' in metric tags
            if (n.name().equals("records-lag") && (inputTopic.equals(topic) || inputTopic.replace('.', '_').equals(topic))
                    && n.group().equals("consumer-fetch-manager-metrics")) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number num && !Double.isNaN(num.doubleValue())) {
                    lag += Math.max(0, num.longValue());
                }
            }
        }
        return lag;
    }

    @Override
    public void close() {
        patience.close();
    }
}
