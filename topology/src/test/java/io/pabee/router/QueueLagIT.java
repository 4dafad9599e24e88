package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.RouterLayers;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lags QueueLag reads from a real broker (end offsets minus committed offsets), and the tuner moving K from them. */
class QueueLagIT {
    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = TestBrokers.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static Properties client() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }

    private static List<ProducerRecord<byte[], byte[]>> records(String topic, int partition, int n) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ProducerRecord<>(topic, partition, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1}));
        }
        return out;
    }

    private static void commit(String group, TopicPartition tp, long offset) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerConfig(group))) {
            c.assign(List.of(tp));
            c.commitSync(Map.of(tp, new OffsetAndMetadata(offset)));
        }
    }

    private static long lagOf(QueueLag lag, QueueLag.Queue q) {
        try {
            return lag.lag(q);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void shouldReadEndMinusCommittedOffsetsAndCountFromTheLogStartWhereNothingIsCommitted() throws Exception {
        kafka.createTopic("lag-in", 2, Map.of());
        kafka.produce("lag-in", records("lag-in", 0, 5));
        kafka.produce("lag-in", records("lag-in", 1, 5));
        QueueLag.Queue router = new QueueLag.Queue("lag-in", "lag-router");
        try (QueueLag lag = new QueueLag(Admin.create(client()), router, router, Duration.ofSeconds(1), s -> { })) {
            assertThat(lag.lag(router)).as("nothing committed: all 10").isEqualTo(10);
            commit("lag-router", new TopicPartition("lag-in", 0), 2);
            assertThat(lag.lag(router)).as("3 left of partition 0, all 5 of partition 1").isEqualTo(8);
            commit("lag-router", new TopicPartition("lag-in", 1), 5);
            assertThat(lag.lag(router)).isEqualTo(3);
            assertThat(lag.offsets(router)).isEqualTo(new QueueLag.Offsets(10, 7, 3));
            assertThat(lag.lag(new QueueLag.Queue("lag-in", "another-group"))).as("per group").isEqualTo(10);
        }
    }

    @Test
    void shouldCountContinuationsOnlyOnceTheirTransactionCommits() throws Exception {
        kafka.createTopic("lag-cont", 1, Map.of());
        Map<String, Object> pc = new HashMap<>(kafka.producerConfig());
        pc.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-router-tx");
        QueueLag.Queue pool = new QueueLag.Queue("lag-cont", "lag-workers");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pc);
             QueueLag lag = new QueueLag(Admin.create(client()), pool, pool, Duration.ofSeconds(1), s -> { })) {
            p.initTransactions();
            p.beginTransaction();
            records("lag-cont", 0, 4).forEach(p::send);
            p.flush();
            assertThat(lag.lag(pool)).as("open transaction: nothing to read yet").isZero();
            p.commitTransaction();
            // four records and the commit marker, which takes an offset too; the broker writes the marker just
            // after the commit returns, and only then the last stable offset moves
            await(() -> lagOf(lag, pool) == 5);
            commit("lag-workers", new TopicPartition("lag-cont", 0), 5);
            assertThat(lag.lag(pool)).isZero();
        }
    }

    @Test
    void shouldHandEachIntervalsSampleToTheListenerUntilClosed() throws Exception {
        kafka.createTopic("lag-a", 1, Map.of());
        kafka.createTopic("lag-b", 1, Map.of());
        kafka.produce("lag-a", records("lag-a", 0, 7));
        kafka.produce("lag-b", records("lag-b", 0, 2));
        List<QueueLag.Sample> seen = new CopyOnWriteArrayList<>();
        try (QueueLag lag = QueueLag.create(client(), new QueueLag.Queue("lag-a", "g-a"), new QueueLag.Queue("lag-b", "g-b"),
                Duration.ofMillis(100), seen::add).start()) {
            await(() -> seen.size() >= 3);
        }
        // nothing committed: the intake so far is the log start, 0
        assertThat(seen).contains(new QueueLag.Sample(7, 2, 0));
    }

    @Test
    void shouldReportAnUnknownTopicAsUnreadable() throws Exception {
        List<QueueLag.Sample> seen = new CopyOnWriteArrayList<>();
        try (QueueLag lag = QueueLag.create(client(), new QueueLag.Queue("lag-missing", "g"), new QueueLag.Queue("lag-missing", "g"),
                Duration.ofMillis(100), seen::add).start()) {
            await(() -> !seen.isEmpty());
        }
        assertThat(seen.get(0)).isEqualTo(QueueLag.Sample.UNREADABLE);
    }

    @Test
    void shouldLowerKWhileInputWaitsAndNoContinuationDoes() throws Exception {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics("tune-"));
        props.put(RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, true);
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, 6);
        props.put(RouterConfig.ROUTER_LAYERS_MIN_CONFIG, 4);
        // long = more than 8 records, short = at most 2; a window of two samples of 100 ms
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, 8);
        props.put(io.pabee.config.CommonConfigs.ADAPTIVE_INTERVAL_CONFIG, 100L);
        props.put(RouterConfig.ROUTER_LAYERS_WINDOW_CONFIG, 200L);
        props.put(RouterConfig.WORKER_GROUP_CONFIG, "tune-workers");
        RouterConfig cfg = new RouterConfig(props);
        kafka.createTopic(cfg.inputTopic(), 1, Map.of());
        kafka.createTopic(cfg.continuationsTopic(), 1, Map.of());
        kafka.produce(cfg.inputTopic(), records(cfg.inputTopic(), 0, 20));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        RouterLayers layers = cfg.routerLayers();
        RouterLayersTuner.gauge(metrics, layers);
        try (RouterLayersTuner tuner = new RouterLayersTuner(cfg, layers, client(), "tune-router", metrics).start()) {
            await(() -> layers.current() == 4);
            assertThat(metrics.get("pabee_router_layers").gauge().value()).isEqualTo(4.0);
            await(() -> metrics.get("pabee_queue_lag").tag("queue", "input").gauge().value() == 20.0);
            assertThat(metrics.get("pabee_queue_lag").tag("queue", "continuations").gauge().value()).isZero();
        }
        assertThat(layers.current()).as("never below the minimum").isEqualTo(4);
    }
}
