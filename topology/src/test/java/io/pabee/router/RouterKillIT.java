package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.broker.EmbeddedBroker;
import io.pabee.schema.Classification;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router processes SIGKILLed mid-stream while events flow at a steady rate: every id comes out
 * exactly once (results and continuations, read_committed, read until the end offsets settle), no
 * dead letter appears (a reprocessed event is not taken for a duplicate), and the longest gap in the
 * committed output is measured and printed (it was 42.9 s with the client defaults).
 */
class RouterKillIT {
    private static final int RATE = 50;

    private static Process router(EmbeddedBroker kafka, String prefix, Path state, String instance, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), RouterChild.class.getName(),
                kafka.bootstrapServers(), prefix, state.toString()));
        if (instance != null) {
            cmd.add(instance);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Produces {@code RATE} events a second on its own thread until stopped; returns the ids sent. */
    private static final class Load implements AutoCloseable {
        final List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Load(EmbeddedBroker kafka, String topic) {
            thread = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerConfig())) {
                    int i = 0;
                    while (!stop.get()) {
                        String id = "e" + i++;
                        TextEvent e = TextEvent.newBuilder().setId(id).setText(i % 3 == 0 ? "flip it" : "a fine film")
                                .setTextPair(null).setPatience(null).setEventTime(System.currentTimeMillis()).setMetadata(null).build();
                        p.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e)));
                        sent.add(id);
                        sentAt.put(id, System.nanoTime());
                        Thread.sleep(1000 / RATE);
                    }
                    p.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "load");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    /** Watches the committed outputs: when each record became visible to a read_committed reader. */
    private static final class Watch implements AutoCloseable {
        final List<Long> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> arrivedAt = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Watch(EmbeddedBroker kafka, RouterConfig cfg) {
            thread = new Thread(() -> {
                Map<String, Object> c = kafka.consumerConfig("unused");
                c.remove("group.id");
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                    List<TopicPartition> tps = new ArrayList<>();
                    for (String t : List.of(cfg.resultsTopic(), cfg.continuationsTopic())) {
                        consumer.partitionsFor(t).forEach(p -> tps.add(new TopicPartition(t, p.partition())));
                    }
                    consumer.assign(tps);
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                            long now = System.nanoTime();
                            arrivals.add(now);
                            arrivedAt.putIfAbsent(new String(r.key(), StandardCharsets.UTF_8), now);
                        }
                    }
                }
            }, "watch");
            thread.start();
        }

        /** The longest time without a new committed output after {@code from}, in seconds. */
        double longestGapAfter(long from) {
            List<Long> a;
            synchronized (arrivals) {
                a = new ArrayList<>(arrivals);
            }
            long last = from;
            long longest = 0;
            for (long t : a) {
                if (t >= from) {
                    longest = Math.max(longest, t - last);
                    last = t;
                }
            }
            return longest / 1e9;
        }

        /** The longest time any event sent after {@code from} took to become visible output, in seconds. */
        double longestDelay(Load load, long from) {
            long longest = 0;
            for (Map.Entry<String, Long> e : load.sentAt.entrySet()) {
                Long arrived = arrivedAt.get(e.getKey());
                if (arrived != null && arrived >= from) {
                    longest = Math.max(longest, arrived - e.getValue());
                }
            }
            return longest / 1e9;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    private static void assertExactlyOnce(EmbeddedBroker kafka, RouterConfig cfg, List<String> sent) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<String> ids = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            ids.clear();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.resultsTopic(), Duration.ofSeconds(2), Duration.ofSeconds(60))) {
                ids.add(AvroSerde.of(Classification.class).decode(r.value()).getId());
            }
            for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(cfg.continuationsTopic(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
                ids.add(AvroSerde.of(LayerState.class).decode(r.value()).getId());
            }
            if (ids.size() >= sent.size()) {
                break;
            }
        }
        assertThat(ids).as("no id twice").doesNotHaveDuplicates();
        assertThat(ids).as("every id once").containsExactlyInAnyOrderElementsOf(sent);
        assertThat(kafka.readSettled(cfg.deadLetterTopic(), Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .as("no dead letter: a reprocessed event is not a duplicate").isEmpty();
    }

    private static RouterConfig topics(EmbeddedBroker kafka, String prefix) {
        RouterConfig cfg = RouterChild.config(prefix, "");
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        TopicSetup.ensure(admin, cfg);
        return cfg;
    }

    private static void awaitOutput(Watch watch, int atLeast, Process... alive) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (watch.arrivals.size() < atLeast && System.nanoTime() < deadline) {
            for (Process p : alive) {
                assertThat(p.isAlive()).as("router process alive").isTrue();
            }
            Thread.onSpinWait();
        }
        assertThat(watch.arrivals.size()).isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void shouldHandOverAKilledRoutersPartitionsToTheOtherRouter(@TempDir Path dir) throws Exception {
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            RouterConfig cfg = topics(kafka, "kill2-");
            Process a = router(kafka, "kill2-", Files.createDirectories(dir.resolve("a")), null, dir.resolve("a.log"));
            Process b = router(kafka, "kill2-", Files.createDirectories(dir.resolve("b")), null, dir.resolve("b.log"));
            try (Watch watch = new Watch(kafka, cfg); Load load = new Load(kafka, cfg.inputTopic())) {
                awaitOutput(watch, 200, a, b);
                Thread.sleep(3000); // both routers own partitions and answer steadily (a fixed span of the stream, not a wait for a condition)
                long killed = System.nanoTime();
                a.destroyForcibly();
                a.waitFor();
                Thread.sleep(25_000); // the stream keeps flowing through the hand-over
                load.close();
                assertExactlyOnce(kafka, cfg, load.sent);
                double gap = watch.longestGapAfter(killed);
                double delay = watch.longestDelay(load, killed);
                System.out.printf("RouterKillIT: other router takes over: longest gap in all output %.1f s, longest delay of "
                        + "one event (the killed router's partitions) %.1f s, %d events%n", gap, delay, load.sent.size());
                assertThat(delay).as("an event's delay after SIGKILL, s (was 42.9 with the client defaults)").isLessThan(30.0);
            } finally {
                a.destroyForcibly();
                b.destroyForcibly();
                b.waitFor();
            }
        }
    }

    @Test
    void shouldResumeQuicklyWhenAStaticRouterComesBack(@TempDir Path dir) throws Exception {
        try (EmbeddedBroker kafka = EmbeddedBroker.start()) {
            RouterConfig cfg = topics(kafka, "kill1-");
            Path state = Files.createDirectories(dir.resolve("state"));
            Process a = router(kafka, "kill1-", state, "router-0", dir.resolve("a.log"));
            Process again = null;
            try (Watch watch = new Watch(kafka, cfg); Load load = new Load(kafka, cfg.inputTopic())) {
                awaitOutput(watch, 200, a);
                long killed = System.nanoTime();
                a.destroyForcibly();
                a.waitFor();
                // the same instance id and state directory: same members, same transactional id (its open
                // transaction is aborted at once), and the partitions waited for it
                again = router(kafka, "kill1-", state, "router-0", dir.resolve("a2.log"));
                Thread.sleep(20_000);
                load.close();
                assertExactlyOnce(kafka, cfg, load.sent);
                double gap = watch.longestGapAfter(killed);
                double delay = watch.longestDelay(load, killed);
                System.out.printf("RouterKillIT: static router restarted: longest output gap %.1f s, longest delay of one "
                        + "event %.1f s, %d events%n", gap, delay, load.sent.size());
                assertThat(delay).as("an event's delay after SIGKILL and restart, s").isLessThan(30.0);
            } finally {
                a.destroyForcibly();
                if (again != null) {
                    again.destroyForcibly();
                    again.waitFor();
                }
            }
        }
    }
}
