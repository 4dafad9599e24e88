package io.pabee.router;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.RouterLayers;
import io.pabee.adaptive.RouterLayersController;
import io.pabee.config.CommonConfigs;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adaptive K of one router process ({@code pabee.adaptive.router.layers}): a {@link QueueLag} thread
 * reads the input lag of the router's group and the continuation lag of the worker group every
 * {@code pabee.adaptive.interval.ms} and feeds a {@link RouterLayersController}, which moves the
 * process's shared {@link RouterLayers}; the steps it takes because the router is the bottleneck are
 * kept only if the router's intake (its committed input offsets) did not fall. Each change of K is logged at INFO; gauge
 * {@code pabee_queue_lag{queue=input|continuations}} shows the last sample ({@code pabee_router_layers},
 * registered with the topology, shows K).
 */
public final class RouterLayersTuner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterLayersTuner.class);

    private final RouterLayers layers;
    private final RouterLayersController controller;
    private final QueueLag lag;
    private final AtomicLong inputLag = new AtomicLong(-1);
    private final AtomicLong continuationLag = new AtomicLong(-1);

    /**
     * A tuner of {@code layers} for the router configured by {@code cfg} whose consumer group (its
     * {@code application.id}) is {@code routerGroup}; {@code clientProperties} reach the cluster.
     */
    public RouterLayersTuner(RouterConfig cfg, RouterLayers layers, Properties clientProperties, String routerGroup,
                             MeterRegistry metrics) {
        this.layers = layers;
        long interval = cfg.getLong(CommonConfigs.ADAPTIVE_INTERVAL_CONFIG);
        int window = (int) Math.max(2, cfg.getLong(RouterConfig.ROUTER_LAYERS_WINDOW_CONFIG) / interval);
        // every step the router's bottleneck asks for stands only if the router's intake did not fall by more than 3%
        // (over 3 micro-batch cycles, after 3 more that still drain the old K's work); a direction that cost intake is
        // tried again after 30 windows
        this.controller = RouterLayersController.forBatch(layers, cfg.getInt(RouterConfig.BATCH_RECORDS_CONFIG), window)
                .guard(0.03, 3, 30L * window * interval, 4);
        this.lag = QueueLag.create(clientProperties, new QueueLag.Queue(cfg.inputTopic(), routerGroup),
                new QueueLag.Queue(cfg.continuationsTopic(), cfg.getString(RouterConfig.WORKER_GROUP_CONFIG)),
                Duration.ofMillis(interval), this::observe);
        Gauge.builder("pabee_queue_lag", inputLag, AtomicLong::get).tag("queue", "input")
                .description("Input events the router's group has not committed (-1: unreadable)").register(metrics);
        Gauge.builder("pabee_queue_lag", continuationLag, AtomicLong::get).tag("queue", "continuations")
                .description("Continuations the worker group has not committed (-1: unreadable)").register(metrics);
        LOG.info("adaptive router layers: K starts at {} within {}..{}, one step at most every {} samples of {} ms",
                layers.current(), layers.min(), layers.max(), window, interval);
    }

    /** Registers gauge {@code pabee_router_layers}: the K the next micro-batch runs. */
    public static void gauge(MeterRegistry metrics, RouterLayers layers) {
        Gauge.builder("pabee_router_layers", layers, RouterLayers::current)
                .description("Encoder layers the router runs (K)").register(metrics);
    }

    private void observe(QueueLag.Sample s) {
        inputLag.set(s.input());
        continuationLag.set(s.continuations());
        int before = layers.current();
        int after = controller.observe(s.input(), s.continuations(), s.inputCommitted(), System.currentTimeMillis());
        if (after != before) {
            LOG.info("router layers K {} -> {}: {} (input lag {}, continuation lag {})", before, after, controller.lastReason(),
                    s.input(), s.continuations());
        }
    }

    public RouterLayers layers() {
        return layers;
    }

    /** Starts sampling. */
    public RouterLayersTuner start() {
        lag.start();
        return this;
    }

    @Override
    public void close() {
        lag.close();
    }
}
