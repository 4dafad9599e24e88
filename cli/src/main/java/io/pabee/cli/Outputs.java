package io.pabee.cli;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Waiting for a benchmark's outputs: poll until enough records came, or give up after a bound. */
final class Outputs {
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private Outputs() {
    }

    /** Polls {@code c} until {@code expected} records arrived (10 minutes at most), handing each to {@code each}; returns the count. */
    static int await(KafkaConsumer<byte[], byte[]> c, int expected, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        int n = 0;
        while (n < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                each.accept(r);
                n++;
            }
        }
        return n;
    }
}
