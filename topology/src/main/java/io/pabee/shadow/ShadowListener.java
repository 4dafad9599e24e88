package io.pabee.shadow;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds an {@link AgreementWindow} from the shadow topic on its own thread: every partition assigned
 * (no group: each router instance needs all shadow results, not a share), starting at the end, since only
 * recent agreement matters, and read_committed, so an aborted worker transaction's shadow results never count.
 * Partitions added to the topic later are picked up at their start within {@link #REFRESH}.
 */
public final class ShadowListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowListener.class);
    /** How often the topic's partition list is read again. */
    static final Duration REFRESH = Duration.ofSeconds(30);

    private final Properties client;
    private final String topic;
    private final AgreementWindow window;
    private final MeterRegistry metrics;
    private final Thread thread;
    private volatile boolean closed;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean started;
    private volatile long read;

    /** A listener on {@code topic} with {@code client} settings (bootstrap.servers, security...), filling {@code window}. */
    public ShadowListener(Properties client, String topic, AgreementWindow window, MeterRegistry metrics) {
        this.client = client;
        this.topic = topic;
        this.window = window;
        this.metrics = metrics;
        this.thread = new Thread(this::run, "pabee-shadow-listener");
        this.thread.setDaemon(true);
    }

    /** The window it fills (the patience controller reads it). */
    public AgreementWindow window() {
        return window;
    }

    /** Whether it has taken its partitions and found their ends: from then on every new shadow result counts. */
    public boolean started() {
        return started;
    }

    /** Shadow results read so far. */
    public long read() {
        return read;
    }

    public ShadowListener start() {
        thread.start();
        return this;
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> assigned = new ArrayList<>();
            assign(c, assigned, true);
            long nextRefresh = System.nanoTime() + REFRESH.toNanos();
            while (!closed) {
                if (assigned.isEmpty()) {
                    // the topic is not there yet (a poll without partitions would throw): look again soon
                    Thread.sleep(500);
                    nextRefresh = Math.min(nextRefresh, System.nanoTime() + Duration.ofSeconds(5).toNanos());
                } else {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        add(r);
                    }
                }
                if (System.nanoTime() > nextRefresh) {
                    assign(c, assigned, false);
                    nextRefresh = System.nanoTime() + REFRESH.toNanos();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("shadow listener on {} stopped: {}", topic, e.toString());
        }
    }

    /** Assigns the topic's partitions; at start all of them at their end, later new ones at their beginning. */
    private void assign(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> assigned, boolean first) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo p : infos == null ? List.<PartitionInfo>of() : infos) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            if (!assigned.contains(tp)) {
                added.add(tp);
            }
        }
        if (added.isEmpty() && !first) {
            return;
        }
        assigned.addAll(added);
        c.assign(assigned);
        if (first) {
            c.seekToEnd(assigned);
            assigned.forEach(c::position); // resolve the end now, so results written after start() are never skipped
            started = true;
            LOG.info("shadow listener reads {} partitions of {}", assigned.size(), topic);
        } else {
            c.seekToBeginning(added);
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        try {
            ShadowResult s = AvroSerde.of(ShadowResult.class).decode(r.value());
            window.add(s.getAgree(), s.getLoweredReason(), s.getTime());
            read++;
        } catch (RuntimeException e) {
            // only workers write here; a record we cannot read is counted and skipped, never fatal for the router
            LOG.debug("unreadable shadow result at {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
            metrics.counter("pabee_shadow_unreadable_total").increment();
        }
    }

    private Properties props() {
        Properties p = new Properties();
        p.putAll(client);
        // an aborted worker transaction's shadow results must not count
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // assigned partitions and no group: nothing to commit
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "pabee-shadow-listener");
        return p;
    }

    /** Stops the thread and closes the consumer (waits up to 10 s). */
    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
