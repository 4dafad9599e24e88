package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.config.CommonConfigs;
import io.pabee.analytics.AnalyticsTopology;
import io.pabee.broker.KafkaBroker;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterControls;
import io.pabee.router.RouterLayersTuner;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import io.pabee.shadow.ShadowListener;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole product on one machine against a given broker: router, a worker pool and analytics,
 * with their own topic names, so demo and end-to-end benchmark run exactly what ships.
 */
final class LocalPipeline implements AutoCloseable {
    /** What came out: results and dead letters by id, and the time from first input to last output. */
    record Run(Map<String, Classification> results, Map<String, DeadLetter> dead, double seconds) {
    }

    /**
     * What the pipeline runs: the model, K, patience, workers (and their device), ONNX threads
     * (0 = all cores), truncation length, the continuations' hidden-state encoding, and further router or
     * worker settings ({@code properties}, e.g. adaptive patience: each goes to the role(s) whose
     * configuration defines it, and wins over what the pipeline sets itself).
     */
    record Settings(Path modelDir, String task, int routerLayers, int patience, int workers, String device, int threads,
                    int maxLength, String hiddenEncoding, Map<String, Object> properties) {
        /** The router's shipped K and patience (RouterConfig's defaults). */
        static final int SHIPPED_ROUTER_LAYERS = (Integer) RouterConfig.CONFIG.defaultValues().get(RouterConfig.ROUTER_LAYERS_CONFIG);
        static final int SHIPPED_PATIENCE = (Integer) RouterConfig.CONFIG.defaultValues().get(RouterConfig.PATIENCE_CONFIG);

        Settings {
            for (String key : properties.keySet()) {
                if (!RouterConfig.CONFIG.names().contains(key) && !WorkerConfig.CONFIG.names().contains(key)) {
                    throw new IllegalArgumentException("unknown router or worker setting: " + key);
                }
            }
            properties = Map.copyOf(properties);
        }

        /** No further settings. */
        Settings(Path modelDir, String task, int routerLayers, int patience, int workers, String device, int threads,
                 int maxLength, String hiddenEncoding) {
            this(modelDir, task, routerLayers, patience, workers, device, threads, maxLength, hiddenEncoding, Map.of());
        }

        /** These settings with {@code more} router or worker settings added (replacing any of the same key). */
        Settings with(Map<String, ?> more) {
            Map<String, Object> all = new HashMap<>(properties);
            all.putAll(more);
            return new Settings(modelDir, task, routerLayers, patience, workers, device, threads, maxLength, hiddenEncoding, all);
        }

        /** The settings of the model options on this model directory, with everything else given. */
        static Settings of(ModelOptions model, Path modelDir, int maxLength, String task, int routerLayers, int patience,
                           int workers, String hiddenEncoding) {
            return new Settings(modelDir, task, routerLayers, patience, workers, model.device, model.threads, maxLength,
                    hiddenEncoding);
        }
    }

    private final KafkaBroker kafka;
    private final RouterConfig cfg;
    private final Properties routerStreams;
    private final String routerApp;
    private KafkaStreams router;
    private final KafkaStreams analytics;
    private final WorkerPool pool;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final OnnxLayerModel routerModel;
    private final RouterControls controls;
    /** Moves K from the queue lags; null unless the router settings turn pabee.adaptive.router.layers on. */
    private final RouterLayersTuner tuner;
    private final OnnxLayerModel workerModel;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    /** Reads the workers' shadow results into the agreement window the router's controller consults. */
    private final ShadowListener shadows;

    /**
     * Starts everything. Topic names are the defaults with {@code topicPrefix} in front ({@code ""}:
     * the shipped names); application ids, transactional ids and the worker group start with
     * {@code appPrefix} (kept short: Linux shows 15 characters of a thread name, and ThreadCpu
     * finds the router's stream threads by "-router-").
     */
    LocalPipeline(KafkaBroker kafka, Settings s, String topicPrefix, String appPrefix) throws Exception {
        this(kafka, s, topicPrefix, appPrefix, BatchOrder.LENGTH);
    }

    /** Everything, with router and workers forming their stage batches in {@code order}. */
    LocalPipeline(KafkaBroker kafka, Settings s, String topicPrefix, String appPrefix, BatchOrder order) throws Exception {
        this(kafka, s, topicPrefix, appPrefix, order, Map.of());
    }

    /**
     * Everything, with {@code routerSettings} ({@code pabee.*} keys) over the router's settings, e.g.
     * {@code pabee.adaptive.router.layers=true}: then a tuner moves K from the pool's and the router's lags.
     */
    LocalPipeline(KafkaBroker kafka, Settings s, String topicPrefix, String appPrefix, BatchOrder order,
                  Map<String, Object> routerSettings) throws Exception {
        this.kafka = kafka;
        Map<String, Object> extra = new HashMap<>(routerSettings);
        // the tuner reads the pool's lag under the pool's group
        extra.put(RouterConfig.WORKER_GROUP_CONFIG, appPrefix + "workers");
        cfg = routerConfig(s, topicPrefix, order, extra);
        Properties admin = WorkerPool.client(kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);
        io.pabee.serde.SchemaPublisher.publish(admin, cfg.schemasTopic());

        String app = appPrefix;
        Path state = Files.createTempDirectory("pabee-local");
        Properties so = new Properties();
        so.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("router").toString());
        so.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        Properties ao = new Properties();
        ao.putAll(so);
        ao.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("analytics").toString());
        ao.put(StreamsConfig.APPLICATION_ID_CONFIG, app + "analytics");
        ao.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        ao.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // one model per role, each shared by all its tasks or workers
        routerModel = RouterModel.load(cfg);
        controls = RouterControls.of(cfg, routerModel, metrics);
        routerApp = app + "router";
        routerStreams = so;
        router = newRouter();
        tuner = cfg.adaptiveRouterLayers() ? new RouterLayersTuner(cfg, controls.layers(), admin, app + "router", metrics) : null;
        analytics = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), ao);
        WorkerConfig wcfg = workerConfig(cfg, s, cfg.getString(RouterConfig.WORKER_GROUP_CONFIG));
        workerModel = WorkerModel.load(wcfg);
        pool = new WorkerPool(wcfg, admin, app + "w", s.workers(), metrics, workerModel);
        consumer = new KafkaConsumer<>(kafka.consumerConfig(app + "console"));
        consumer.subscribe(List.of(cfg.resultsTopic(), cfg.deadLetterTopic()));
        controls.watch(router, cfg.inputTopic());
        AgreementWindow agreement = new AgreementWindow();
        controls.agreement(agreement);
        shadows = new ShadowListener(admin, cfg.shadowTopic(), agreement, metrics).start();
        router.start();
        analytics.start();
        pool.start();
        if (tuner != null) {
            tuner.start();
        }
    }

    private KafkaStreams newRouter() {
        return new KafkaStreams(RouterTopology.build(cfg, routerModel, metrics, java.time.Clock.systemUTC(), controls),
                RouterTopology.streamsConfig(kafka.bootstrapServers(), routerApp, routerStreams));
    }

    /**
     * Closes the router's Kafka Streams and starts a new one with the same application id, state directory,
     * model and run-time controls (so a lowered patience stays lowered across it); workers and analytics keep running.
     */
    void restartRouter() {
        router.close(Duration.ofSeconds(30));
        router = newRouter();
        controls.watch(router, cfg.inputTopic());
        router.start();
    }

    /** The router's settings: topic names are the defaults behind {@code prefix}. */
    static RouterConfig routerConfig(Settings s, String prefix) {
        return routerConfig(s, prefix, BatchOrder.LENGTH);
    }

    static RouterConfig routerConfig(Settings s, String prefix, BatchOrder order) {
        return routerConfig(s, prefix, order, Map.of());
    }

    /**
     * As {@link #routerConfig(Settings, String, BatchOrder)}, with the settings' further properties the router defines
     * and then {@code extra} over these.
     */
    static RouterConfig routerConfig(Settings s, String prefix, BatchOrder order, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.BATCH_ORDER_CONFIG, order.label());
        props.put(RouterConfig.MODEL_DIR_CONFIG, s.modelDir().toString());
        props.put(RouterConfig.TASK_CONFIG, s.task());
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, s.routerLayers());
        props.put(RouterConfig.PATIENCE_CONFIG, s.patience());
        props.put(RouterConfig.PARTITIONS_CONFIG, Math.max(2, s.workers()));
        props.put(RouterConfig.HIDDEN_ENCODING_CONFIG, s.hiddenEncoding());
        props.put(RouterConfig.THREADS_CONFIG, s.threads());
        props.put(RouterConfig.MAX_LENGTH_CONFIG, s.maxLength());
        props.put(RouterConfig.WINDOW_CONFIG, 2000L);
        s.properties().forEach((k, v) -> {
            if (RouterConfig.CONFIG.names().contains(k)) {
                props.put(k, v);
            }
        });
        props.putAll(extra);
        return new RouterConfig(props);
    }

    /**
     * The workers' settings: the router's topics, model, task, threads, batch order, patience and shadow sample, the
     * pool's device, and the settings' further properties the worker defines.
     */
    static WorkerConfig workerConfig(RouterConfig router, Settings s, String group) {
        Map<String, Object> wp = new HashMap<>();
        wp.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, router.continuationsTopic());
        wp.put(WorkerConfig.RESULTS_TOPIC_CONFIG, router.resultsTopic());
        wp.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, router.deadLetterTopic());
        wp.put(WorkerConfig.SHADOW_TOPIC_CONFIG, router.shadowTopic());
        wp.put(WorkerConfig.SHADOW_SAMPLE_CONFIG, router.getDouble(CommonConfigs.SHADOW_SAMPLE_CONFIG));
        wp.put(WorkerConfig.GROUP_CONFIG, group);
        wp.put(WorkerConfig.MODEL_DIR_CONFIG, s.modelDir().toString());
        wp.put(WorkerConfig.TASK_CONFIG, s.task());
        wp.put(WorkerConfig.DEVICE_CONFIG, s.device());
        wp.put(WorkerConfig.BATCH_ORDER_CONFIG, router.getString(RouterConfig.BATCH_ORDER_CONFIG));
        wp.put(WorkerConfig.THREADS_CONFIG, s.threads());
        // the workers' adaptive patience steps down from, and back up to, the router's configured patience
        wp.put(WorkerConfig.PATIENCE_CONFIG, s.patience());
        s.properties().forEach((k, v) -> {
            if (WorkerConfig.CONFIG.names().contains(k)) {
                wp.put(k, v);
            }
        });
        return new WorkerConfig(wp);
    }

    RouterConfig config() {
        return cfg;
    }

    /** The router's run-time controls (adaptive patience, K). */
    RouterControls controls() {
        return controls;
    }

    /** The recent shadow agreement (shadow runs happen only with pabee.shadow.sample above 0). */
    AgreementWindow agreement() {
        return shadows.window();
    }

    /** The metrics of router, analytics and workers since the start. */
    SimpleMeterRegistry metrics() {
        return metrics;
    }

    /** Produces the items and waits (up to 30 min) until each has a result or a dead letter. */
    Run run(List<TextEvents.Item> items, Consumer<Classification> onResult, Consumer<DeadLetter> onDead) {
        Map<String, Classification> results = new LinkedHashMap<>();
        Map<String, DeadLetter> dead = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        send(items);
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (results.size() + dead.size() < items.size() && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100), c -> {
                results.put(c.getId(), c);
                onResult.accept(c);
            }, d -> {
                dead.put(d.getId() != null ? d.getId() : "dead-" + dead.size(), d);
                onDead.accept(d);
            });
        }
        return new Run(results, dead, (System.nanoTime() - t0) / 1e9);
    }

    /** Produces items without waiting for answers (the soak test drives input and output itself). */
    void send(List<TextEvents.Item> items) {
        if (!items.isEmpty()) {
            kafka.produce(cfg.inputTopic(), TextEvents.records(cfg.inputTopic(), items));
        }
    }

    /**
     * A producer of input events kept open across sends, for loads that send many small batches (a producer per
     * send costs a connection and a producer id each time); the caller closes it. Its pooled buffers stay on the
     * heap while it is open, which is why {@link #send} (the soak test measures the heap) does not use one.
     */
    Input input() {
        return new Input(new KafkaProducer<>(kafka.producerConfig()), cfg.inputTopic());
    }

    /** Input events through one open producer. */
    static final class Input implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;

        private Input(KafkaProducer<byte[], byte[]> producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        /** Produces items and waits for their acknowledgements, not their answers. */
        void send(List<TextEvents.Item> items) {
            KafkaBroker.sendAll(producer, topic, TextEvents.records(topic, items));
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** One poll of the outputs (read_committed). */
    void poll(Consumer<Classification> onResult, Consumer<DeadLetter> onDead) {
        poll(Duration.ofMillis(50), onResult, onDead);
    }

    private void poll(Duration timeout, Consumer<Classification> onResult, Consumer<DeadLetter> onDead) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.topic().equals(cfg.resultsTopic())) {
                onResult.accept(AvroSerde.of(Classification.class).decode(r.value()));
            } else {
                onDead.accept(AvroSerde.of(DeadLetter.class).decode(r.value()));
            }
        }
    }

    /**
     * The shadow runs committed so far (read until the topic settles), or none when the shadow topic does not
     * exist (no record was sampled, or this build has no shadow runs).
     */
    List<ShadowResult> shadowResults() throws Exception {
        String topic = cfg.shadowTopic();
        try (Admin admin = Admin.create(WorkerPool.client(kafka.bootstrapServers()))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                return List.of();
            }
        }
        return kafka.readSettled(topic, Duration.ofSeconds(1), Duration.ofSeconds(60)).stream()
                .map(r -> AvroSerde.of(ShadowResult.class).decode(r.value())).toList();
    }

    @Override
    public void close() throws InterruptedException {
        shadows.close();
        if (tuner != null) {
            tuner.close();
        }
        pool.close();
        consumer.close();
        router.close(Duration.ofSeconds(30));
        controls.close();
        analytics.close(Duration.ofSeconds(30));
        routerModel.close();
        workerModel.close();
    }
}
