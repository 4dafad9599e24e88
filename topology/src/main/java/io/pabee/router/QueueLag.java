package io.pabee.router;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two queues of the pipeline, read with an Admin client every interval: input events the router's
 * group has not yet committed, and continuations the worker group has not. A queue's lag is, summed
 * over its topic's partitions, the last stable offset (read_committed: continuations count once their
 * transaction commits) minus the group's committed offset, or minus the log start where the group has
 * committed nothing yet. Transaction markers take offsets too, so a transactional topic's lag can
 * count a few records more than wait.
 */
public final class QueueLag implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueLag.class);

    /** One queue: a topic and the consumer group that reads it. */
    public record Queue(String topic, String group) {
    }

    /**
     * One reading, in records; -1 where the queue could not be read: the two lags, and the input
     * offsets the router's group has committed in all (its intake so far).
     */
    public record Sample(long input, long continuations, long inputCommitted) {
        public static final Sample UNREADABLE = new Sample(-1, -1, -1);
    }

    /** One queue's offsets summed over its partitions: the last stable ones, and the group's committed ones. */
    public record Offsets(long end, long committed, long lag) {
    }

    private final Admin admin;
    private final Queue input;
    private final Queue continuations;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<Sample> listener;
    private final ScheduledExecutorService thread;
    private boolean failing;

    /**
     * Reads {@code input} and {@code continuations} through {@code admin} (closed with this) and hands
     * each sample to {@code listener} every {@code interval} once started.
     */
    public QueueLag(Admin admin, Queue input, Queue continuations, Duration interval, Consumer<Sample> listener) {
        this.admin = admin;
        this.input = input;
        this.continuations = continuations;
        this.interval = interval;
        // a slow broker answer must not pile samples up: give up on one after a few intervals (at least 5 s)
        this.timeout = Duration.ofMillis(Math.max(5_000, 3 * interval.toMillis()));
        this.listener = listener;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pabee-queue-lag");
            t.setDaemon(true);
            return t;
        });
    }

    /** As {@link #QueueLag(Admin, Queue, Queue, Duration, Consumer)} with an Admin client of {@code clientProperties}. */
    public static QueueLag create(Properties clientProperties, Queue input, Queue continuations, Duration interval,
                                  Consumer<Sample> listener) {
        return new QueueLag(Admin.create(clientProperties), input, continuations, interval, listener);
    }

    /** Samples every interval on its own thread, the first one interval from now. */
    public QueueLag start() {
        thread.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        Sample s;
        try {
            s = read();
            if (failing) {
                LOG.info("queue lags readable again");
                failing = false;
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!failing) {
                LOG.warn("cannot read the queue lags (K holds until they are readable): {}", e.toString());
                failing = true;
            }
            s = Sample.UNREADABLE;
        }
        try {
            listener.accept(s);
        } catch (RuntimeException e) {
            LOG.warn("queue lag listener failed", e);
        }
    }

    /** Both queues now. */
    public Sample read() throws InterruptedException, ExecutionException, TimeoutException {
        Offsets in = offsets(input);
        return new Sample(in.lag(), offsets(continuations).lag(), in.committed());
    }

    /** Records of {@code q}'s topic its group has not committed yet. */
    public long lag(Queue q) throws InterruptedException, ExecutionException, TimeoutException {
        return offsets(q).lag();
    }

    /** {@code q}'s offsets; a partition its group has not committed counts from its log start. */
    public Offsets offsets(Queue q) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> topics = admin.describeTopics(List.of(q.topic())).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        topics.get(q.topic()).partitions().forEach(p -> latest.put(new TopicPartition(q.topic(), p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(q.group()).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> uncommitted = new HashMap<>();
        long end = 0;
        long done = 0;
        long lag = 0;
        for (TopicPartition tp : latest.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            end += ends.get(tp).offset();
            if (c == null) {
                uncommitted.put(tp, OffsetSpec.earliest());
            } else {
                done += c.offset();
                lag += Math.max(0, ends.get(tp).offset() - c.offset());
            }
        }
        if (!uncommitted.isEmpty()) {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(uncommitted).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (TopicPartition tp : uncommitted.keySet()) {
                done += starts.get(tp).offset();
                lag += Math.max(0, ends.get(tp).offset() - starts.get(tp).offset());
            }
        }
        return new Offsets(end, done, lag);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
