package io.pabee.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.analytics.AnalyticsTopology;
import io.pabee.broker.KafkaBroker;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.OnnxLayerModel;
import io.pabee.worker.Worker;
import io.pabee.worker.WorkerConfig;
import io.pabee.worker.WorkerModel;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole product on one machine against a given broker: router, a worker pool and analytics,
 * with their own topic names, so demo and end-to-end benchmark run exactly what ships.
 */
final class LocalPipeline implements AutoCloseable {
    /** One text to classify. */
    record Item(String id, String text, String pair, int label) {
    }

    /** What came out: results and dead letters by id, and the time from first input to last output. */
    record Run(Map<String, Classification> results, Map<String, DeadLetter> dead, double seconds) {
    }

    private final KafkaBroker kafka;
    private final RouterConfig cfg;
    private final KafkaStreams router;
    private final KafkaStreams analytics;
    private final List<Worker> pool = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final OnnxLayerModel routerModel;
    private final OnnxLayerModel workerModel;

    LocalPipeline(KafkaBroker kafka, Path modelDir, String task, int routerLayers, int patience, int workers,
                  String device, String hiddenEncoding, String prefix) throws Exception {
        this.kafka = kafka;
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.MODEL_DIR_CONFIG, modelDir.toString());
        props.put(RouterConfig.TASK_CONFIG, task);
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, routerLayers);
        props.put(RouterConfig.PATIENCE_CONFIG, patience);
        props.put(RouterConfig.PARTITIONS_CONFIG, Math.max(2, workers));
        props.put(RouterConfig.HIDDEN_ENCODING_CONFIG, hiddenEncoding);
        props.put(RouterConfig.WINDOW_CONFIG, 2000L);
        cfg = new RouterConfig(props);
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);
        io.pabee.serde.SchemaPublisher.publish(admin, cfg.schemasTopic());

        Path state = Files.createTempDirectory("pabee-local");
        Properties so = new Properties();
        so.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("router").toString());
        so.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        Properties ao = new Properties();
        ao.putAll(so);
        ao.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("analytics").toString());
        ao.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "analytics");
        ao.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        ao.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        // one model per role, each shared by all its tasks or workers
        routerModel = RouterModel.load(cfg);
        router = new KafkaStreams(RouterTopology.build(cfg, routerModel, metrics),
                RouterTopology.streamsConfig(kafka.bootstrapServers(), prefix + "router", so));
        analytics = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), ao);
        Map<String, Object> wp = new HashMap<>();
        wp.put(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG, cfg.continuationsTopic());
        wp.put(WorkerConfig.RESULTS_TOPIC_CONFIG, cfg.resultsTopic());
        wp.put(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG, cfg.deadLetterTopic());
        wp.put(WorkerConfig.GROUP_CONFIG, prefix + "workers");
        wp.put(WorkerConfig.MODEL_DIR_CONFIG, modelDir.toString());
        wp.put(WorkerConfig.TASK_CONFIG, task);
        wp.put(WorkerConfig.DEVICE_CONFIG, device);
        WorkerConfig wcfg = new WorkerConfig(wp);
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        workerModel = WorkerModel.load(wcfg);
        for (int i = 0; i < workers; i++) {
            Worker w = new Worker(wcfg, client, prefix + "w" + i, metrics, workerModel);
            pool.add(w);
            threads.add(new Thread(w, "pabee-worker-" + i));
        }
        consumer = new KafkaConsumer<>(kafka.consumerConfig(prefix + "console"));
        consumer.subscribe(List.of(cfg.resultsTopic(), cfg.deadLetterTopic()));
        router.start();
        analytics.start();
        threads.forEach(Thread::start);
    }

    /** Produces the items and waits (up to 30 min) until each has a result or a dead letter. */
    Run run(List<Item> items, Consumer<Classification> onResult, Consumer<DeadLetter> onDead) {
        Map<String, Classification> results = new LinkedHashMap<>();
        Map<String, DeadLetter> dead = new LinkedHashMap<>();
        List<ProducerRecord<byte[], byte[]>> recs = events(items);
        long t0 = System.nanoTime();
        kafka.produce(cfg.inputTopic(), recs);
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
    void send(List<Item> items) {
        if (items.isEmpty()) {
            return;
        }
        kafka.produce(cfg.inputTopic(), events(items));
    }

    /** The items as Avro text events, keyed by id, all with the same event time (now). */
    private List<ProducerRecord<byte[], byte[]>> events(List<Item> items) {
        List<ProducerRecord<byte[], byte[]>> recs = new ArrayList<>(items.size());
        long now = System.currentTimeMillis();
        for (Item it : items) {
            TextEvent e = TextEvent.newBuilder().setId(it.id()).setText(it.text()).setTextPair(it.pair())
                    .setEventTime(now).setPatience(null).setMetadata(null).build();
            recs.add(new ProducerRecord<>(cfg.inputTopic(), it.id().getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(TextEvent.class).encode(e)));
        }
        return recs;
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

    @Override
    public void close() throws InterruptedException {
        pool.forEach(Worker::close);
        for (Thread t : threads) {
            t.join(30_000);
        }
        consumer.close();
        router.close(Duration.ofSeconds(30));
        analytics.close(Duration.ofSeconds(30));
        routerModel.close();
        workerModel.close();
    }
}
