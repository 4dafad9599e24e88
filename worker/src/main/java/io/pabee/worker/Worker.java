package io.pabee.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.AdaptivePatience;
import io.pabee.adaptive.PatiencePlan;
import io.pabee.adaptive.ShadowSampler;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ExitSite;
import io.pabee.schema.HiddenEncoding;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.BadRecordException;
import io.pabee.serde.DeadLetters;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.PaddingMeter;
import io.pabee.stage.InFlight;
import io.pabee.stage.LayerModel;
import io.pabee.wire.ContinuationCodec;
import io.pabee.wire.ResultBuilder;
import io.pabee.wire.ShadowResults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the pool: consumes continuations in the consumer group, resumes each record's hidden
 * and exit state, runs the remaining layers with dynamic re-batching, and writes results, all in one
 * transaction per poll (consume-transform-produce with {@code sendOffsetsToTransaction}). The model is
 * the process's shared one: every worker thread uses it, none closes it.
 *
 * <p>Shadow runs: a sampled record that exits here before the last layer also goes back to the
 * continuation topic as a shadow continuation (same transaction); a shadow continuation runs to the
 * last layer and becomes a {@code ShadowResult} on the shadow topic, never a result.
 */
public final class Worker implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final WorkerConfig cfg;
    private final Properties client;
    private final String id;
    private final MeterRegistry metrics;
    private final LayerModel model;
    private final EarlyExitRunner runner;
    private final ContinuationCodec continuations;
    private final ResultBuilder results;
    private final AdaptivePatience patience;
    /** Whether this worker made its patience itself (and so stops its timer): a pool's is closed by the pool. */
    private final boolean ownsPatience;
    private final ShadowSampler shadowSampler;
    /** Shadow continuations keep the hidden-state encoding of the continuation they come from. */
    private final ContinuationCodec shadowFp16;
    private final ContinuationCodec shadowFp32;
    private final ShadowResults shadowResults;
    private volatile boolean closed;
    /** Continuation records of this worker's partitions not fetched yet (the consumer's lag). */
    private volatile long lag;
    private volatile boolean crash;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile long processed;
    private volatile int assigned;
    /** Partitions revoked or lost during the current gather (the rebalance callbacks run inside poll). */
    private final java.util.Set<TopicPartition> revokedWhileGathering = new java.util.HashSet<>();
    /** Reasons of the dead letters in the open transaction: counted once it commits, so a retry does not count twice. */
    private final List<String> uncountedDeadLetters = new ArrayList<>();
    /** The same for shadow results (agree or not) and shadow continuations sent in the open transaction. */
    private final List<Boolean> uncountedShadowResults = new ArrayList<>();
    private int uncountedShadowContinuations;
    /** Reasons of the shadow runs dropped in the open transaction (a failed shadow run is no dead letter). */
    private final List<String> uncountedShadowSkips = new ArrayList<>();

    /**
     * {@code client} holds bootstrap.servers and any other client settings (security, ...); {@code model}
     * is the process's shared model (see {@link WorkerModel#load}).
     */
    public Worker(WorkerConfig cfg, Properties client, String id, MeterRegistry metrics, LayerModel model) {
        this(cfg, client, id, metrics, model, AdaptivePatience.forRole("worker", cfg.values(), model.numLayers(), metrics).start(),
                true);
    }

    /** A worker whose records get their patience from {@code patience}, shared by the process's workers. */
    public Worker(WorkerConfig cfg, Properties client, String id, MeterRegistry metrics, LayerModel model, AdaptivePatience patience) {
        this(cfg, client, id, metrics, model, patience, false);
    }

    private Worker(WorkerConfig cfg, Properties client, String id, MeterRegistry metrics, LayerModel model, AdaptivePatience patience,
                   boolean ownsPatience) {
        this.patience = patience;
        this.ownsPatience = ownsPatience;
        this.cfg = cfg;
        this.client = client;
        this.id = id;
        this.metrics = metrics;
        this.model = model;
        this.runner = new EarlyExitRunner(model, cfg.getInt(WorkerConfig.STAGE_BATCH_CONFIG),
                BatchOrder.parse(cfg.getString(WorkerConfig.BATCH_ORDER_CONFIG)));
        this.continuations = ContinuationCodec.reader(model);
        this.results = new ResultBuilder(model);
        this.shadowSampler = new ShadowSampler(cfg.getDouble(WorkerConfig.SHADOW_SAMPLE_CONFIG));
        this.shadowFp16 = new ContinuationCodec(model, true, 0);
        this.shadowFp32 = new ContinuationCodec(model, false, 0);
        this.shadowResults = new ShadowResults(model);
    }

    /** Continuation partitions this worker owns now. */
    public int assignedPartitions() {
        return assigned;
    }

    /** Continuation records waiting in this worker's partitions (its consumer's lag at the last poll). */
    public long lag() {
        return lag;
    }

    /** Records this worker committed results for. */
    public long processed() {
        return processed;
    }

    @Override
    public void run() {
        KafkaConsumer<byte[], byte[]> c = null;
        KafkaProducer<byte[], byte[]> p = null;
        try {
            c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            p = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
            consumer = c;
            // consumer metrics include records-lag-max: the pool's backlog per worker
            new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(c).bindTo(metrics);
            p.initTransactions();
            c.subscribe(List.of(cfg.getString(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG)), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                    assigned -= partitions.size();
                    revokedWhileGathering.addAll(partitions);
                    if (!partitions.isEmpty()) {
                        LOG.info("worker {} gives up partitions {}", id, partitions);
                    }
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                    assigned += partitions.size();
                    if (!partitions.isEmpty()) {
                        LOG.info("worker {} takes partitions {}", id, partitions);
                    }
                }

                @Override
                public void onPartitionsLost(java.util.Collection<TopicPartition> partitions) {
                    assigned -= partitions.size();
                    revokedWhileGathering.addAll(partitions);
                }
            });
            LOG.info("worker {} started ({} layers, version {})", id, model.numLayers(), model.modelVersion());
            int retries = 0;
            while (!closed) {
                List<ConsumerRecord<byte[], byte[]>> records;
                try {
                    records = gather(c);
                } catch (WakeupException e) {
                    break;
                }
                lag = currentLag(c);
                if (records.isEmpty()) {
                    continue;
                }
                int maxRetries = cfg.getInt(WorkerConfig.MAX_RETRIES_CONFIG);
                // the last retry runs records one by one, so a record that fails alone is the only dead letter;
                // if even that attempt aborts (a send or commit failure), the whole batch is dead-lettered
                Attempt attempt = retries < maxRetries ? Attempt.BATCH : retries == maxRetries ? Attempt.ONE_BY_ONE
                        : Attempt.DEAD_LETTER_ALL;
                p.beginTransaction();
                uncountedDeadLetters.clear();
                uncountedShadowResults.clear();
                uncountedShadowContinuations = 0;
                uncountedShadowSkips.clear();
                try {
                    process(records, p, attempt);
                    if (crash) {
                        // test hook: die mid-transaction, without commit or close, like a killed process
                        return;
                    }
                    p.sendOffsetsToTransaction(nextOffsets(records), c.groupMetadata());
                    p.commitTransaction();
                    uncountedDeadLetters.forEach(reason -> metrics.counter("pabee_dead_letters_total", "stage", "worker",
                            "reason", reason).increment());
                    uncountedShadowResults.forEach(agree -> metrics.counter("pabee_shadow_total", "agree",
                            Boolean.toString(agree)).increment());
                    uncountedShadowSkips.forEach(reason -> metrics.counter("pabee_shadow_skipped_total", "site", "worker",
                            "reason", reason).increment());
                    if (uncountedShadowContinuations > 0) {
                        metrics.counter("pabee_shadow_continuations_total", "site", "worker").increment(uncountedShadowContinuations);
                    }
                    processed += records.size();
                    retries = 0;
                } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                    // fatal for this producer: another instance owns the transactional id, or we may not write
                    LOG.error("worker {} stops: {}", id, e.toString());
                    throw e;
                } catch (CommitFailedException | RebalanceInProgressException e) {
                    // the group moved on (a worker joined or left): not the records' fault, so no retry is counted;
                    // the new owner of each partition starts at its committed offset
                    LOG.info("worker {} aborts a batch of {} after a rebalance: {}", id, records.size(), e.getMessage());
                    p.abortTransaction();
                    rewind(c, records);
                    metrics.counter("pabee_worker_aborts_total", "cause", "rebalance").increment();
                } catch (RuntimeException e) {
                    // abort, rewind to the committed offsets and retry; after max retries the batch is dead-lettered
                    LOG.warn("worker {} aborts a batch of {} (attempt {}): {}", id, records.size(), retries + 1, e.toString());
                    p.abortTransaction();
                    rewind(c, records);
                    retries++;
                    metrics.counter("pabee_worker_aborts_total", "cause", "error").increment();
                }
            }
        } finally {
            if (!crash) {
                if (p != null) {
                    p.close(Duration.ofSeconds(5));
                }
                if (c != null) {
                    // leave now, also as a static member: the partitions move to the other workers without
                    // waiting for the session timeout
                    c.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                            .withTimeout(Duration.ofSeconds(5)));
                }
            }
            if (ownsPatience) {
                patience.close();
            }
            LOG.info("worker {} {}", id, crash ? "crashed (test)" : "stopped");
        }
    }

    /**
     * Polls until a stage batch is full, the in-flight limit is reached or the max wait has passed since
     * the first record arrived: continuations trickle in as the router commits, and fuller batches
     * make better use of every stage call.
     */
    private List<ConsumerRecord<byte[], byte[]>> gather(KafkaConsumer<byte[], byte[]> c) {
        long wait = cfg.getLong(WorkerConfig.POLL_MS_CONFIG);
        int want = cfg.getInt(WorkerConfig.STAGE_BATCH_CONFIG);
        int cap = cfg.getInt(WorkerConfig.MAX_IN_FLIGHT_CONFIG);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        revokedWhileGathering.clear();
        c.poll(Duration.ofMillis(wait)).forEach(out::add);
        revokedWhileGathering.clear(); // nothing was held when the first poll rebalanced
        long deadline = System.nanoTime() + Duration.ofMillis(wait).toNanos();
        while (!out.isEmpty() && out.size() < want && out.size() < cap && System.nanoTime() < deadline) {
            // max.poll.records = cap - size would be ideal; a poll returns at most `cap`, so trim below instead
            c.poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))).forEach(out::add);
        }
        if (!revokedWhileGathering.isEmpty()) {
            // a partition revoked while we held its records belongs to another worker now, which starts at the
            // committed offset: committing our results for them too would write them twice. Drop them; a partition
            // that came back meanwhile starts again at its committed offset.
            List<ConsumerRecord<byte[], byte[]>> dropped = out.stream()
                    .filter(r -> revokedWhileGathering.contains(new TopicPartition(r.topic(), r.partition()))).toList();
            out.removeAll(dropped);
            if (!dropped.isEmpty()) {
                LOG.info("worker {} drops {} records of partitions revoked while gathering", id, dropped.size());
                rewind(c, dropped);
            }
            revokedWhileGathering.clear();
        }
        return out;
    }

    /** How a poll batch is run: together, one record at a time (last retry), or not at all (retries exhausted). */
    private enum Attempt { BATCH, ONE_BY_ONE, DEAD_LETTER_ALL }

    private void process(List<ConsumerRecord<byte[], byte[]>> records, KafkaProducer<byte[], byte[]> p, Attempt attempt) {
        List<InFlight> resumed = new ArrayList<>();
        Map<InFlight, ConsumerRecord<byte[], byte[]>> sources = new java.util.IdentityHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            LayerState s = null;
            try {
                if (attempt == Attempt.DEAD_LETTER_ALL) {
                    s = shadowOrNull(r);
                    throw new BadRecordException("retries-exhausted", "batch failed " + (cfg.getInt(WorkerConfig.MAX_RETRIES_CONFIG) + 1)
                            + " times");
                }
                s = AvroSerde.of(LayerState.class).decode(r.value());
                if (s.getShadow() == null) {
                    lowerIfNeeded(s);
                }
                InFlight f = continuations.read(s, s);
                resumed.add(f);
                sources.put(f, r);
            } catch (BadRecordException | IllegalArgumentException e) {
                String reason = e instanceof BadRecordException b ? b.reason() : "invalid-state";
                deadLetterUnlessShadow(p, r, s, reason, e.getMessage());
            } catch (RuntimeException e) {
                deadLetterUnlessShadow(p, r, s, "internal-error", e.toString());
            }
        }
        if (attempt == Attempt.ONE_BY_ONE) {
            for (InFlight f : resumed) {
                try {
                    run(List.of(f), p);
                } catch (RuntimeException e) {
                    LOG.debug("worker {}: one continuation fails alone", id, e);
                    deadLetterUnlessShadow(p, sources.get(f), (LayerState) f.key, "internal-error", e.toString());
                }
            }
        } else {
            run(resumed, p);
        }
    }

    /** The continuation in {@code r} if it decodes as a shadow continuation, else null. */
    private static LayerState shadowOrNull(ConsumerRecord<byte[], byte[]> r) {
        try {
            LayerState s = AvroSerde.of(LayerState.class).decode(r.value());
            return s.getShadow() != null ? s : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A dead letter for {@code r}, unless it is a shadow continuation ({@code s} decoded with {@code shadow}
     * set): that record was answered when it exited early, and a dead letter would give its id a second
     * answer, so a failed shadow run is only a missed sample, counted with its reason.
     */
    private void deadLetterUnlessShadow(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, LayerState s,
                                        String reason, String detail) {
        if (s != null && s.getShadow() != null) {
            LOG.debug("worker {}: shadow run of {} dropped ({}): {}", id, s.getId(), reason, detail);
            uncountedShadowSkips.add(reason);
            return;
        }
        deadLetter(p, r, reason, detail);
    }

    /** Applies the process's load plan and the record's latency budget to a continuation's patience. */
    private void lowerIfNeeded(LayerState s) {
        int requested = s.getPatience();
        PatiencePlan.Choice c = patience.choose(s.getId(), requested, s.getLatencyBudgetMs(), s.getEventTime(),
                System.currentTimeMillis());
        if (c.patience() != requested) {
            if (s.getPatienceConfigured() == null) {
                s.setPatienceConfigured(requested);
            }
            s.setPatience(c.patience());
            s.setLoweredReason(c.reason().wire());
        }
    }

    private static long currentLag(KafkaConsumer<byte[], byte[]> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) {
            sum += c.currentLag(tp).orElse(0);
        }
        return sum;
    }

    private void run(List<InFlight> resumed, KafkaProducer<byte[], byte[]> p) {
        long t0 = System.nanoTime();
        long now = System.currentTimeMillis();
        long maxAge = -1;
        for (InFlight f : resumed) {
            maxAge = Math.max(maxAge, now - ((LayerState) f.key).getEventTime());
        }
        EarlyExitRunner.Stats stats = runner.run(Collections.emptyIterator(), resumed, model.numLayers(), r -> {
            LayerState s = (LayerState) r.key;
            byte[] key = s.getId().getBytes(StandardCharsets.UTF_8);
            if (s.getShadow() != null) {
                // a shadow run never becomes a result: the record was answered when it exited early
                ShadowResult sr = shadowResults.build(s, r, System.currentTimeMillis());
                // stamped with the event time, like every result: analytics windows are event-time windows
                p.send(new ProducerRecord<>(cfg.getString(WorkerConfig.SHADOW_TOPIC_CONFIG), null, stamp(s), key,
                        AvroSerde.of(ShadowResult.class).encode(sr)));
                uncountedShadowResults.add(sr.getAgree());
                return;
            }
            Classification out = results.build(s.getId(), r, ExitSite.WORKER, s.getEventTime(), s.getEnqueueTime(),
                    System.currentTimeMillis());
            // the event time, as the router stamps its results (with the input record's time): analytics windows
            // are event-time windows, and a wall-clock stamp would run ahead under a backlog and drop the router's
            // results of the same events as late
            p.send(new ProducerRecord<>(cfg.getString(WorkerConfig.RESULTS_TOPIC_CONFIG), null, stamp(s), key,
                    AvroSerde.of(Classification.class).encode(out)));
            metrics.counter("pabee_exits_total", "site", "worker", "layer", Integer.toString(r.layersDone)).increment();
            // an exit at the last layer is already the full-depth answer: only earlier exits get a shadow run
            if (r.layersDone < model.numLayers() && shadowSampler.sampled(s.getId())) {
                sendShadow(p, key, r, out, s);
            }
        }, r -> {
            throw new IllegalStateException("record did not exit at the last layer");
        });
        patience.batchDone(resumed.size(), maxAge, System.nanoTime() - t0,
                resumed.isEmpty() ? 0 : (double) stats.layerRecords / resumed.size());
        if (stats.layerCalls > 0) {
            metrics.summary("pabee_worker_batch_size").record(stats.meanBatch());
            metrics.timer("pabee_worker_batch_seconds").record(Duration.ofNanos(System.nanoTime() - t0));
            metrics.counter("pabee_worker_records_total").increment(resumed.size());
            for (int l = 1; l < stats.layerNanos.length; l++) {
                if (stats.layerNanos[l] > 0) {
                    metrics.timer("pabee_worker_layer_seconds", "layer", Integer.toString(l))
                            .record(Duration.ofNanos(stats.layerNanos[l]));
                }
            }
            PaddingMeter.record(metrics, "worker", stats);
        }
    }

    /**
     * The record timestamp of an output for continuation {@code s}: its event time, or now when the event time
     * is negative or in the future (the producer refuses the one, the broker may refuse the other).
     */
    private static long stamp(LayerState s) {
        long now = System.currentTimeMillis();
        long t = s.getEventTime();
        return t >= 0 && t <= now ? t : now;
    }

    /** The shadow continuation of {@code r}, answered early with {@code early}; one that cannot be built is a missed sample. */
    private void sendShadow(KafkaProducer<byte[], byte[]> p, byte[] key, InFlight r, Classification early, LayerState from) {
        byte[] value;
        try {
            ContinuationCodec codec = from.getHiddenEncoding() == HiddenEncoding.FP16 ? shadowFp16 : shadowFp32;
            value = AvroSerde.of(LayerState.class).encode(codec.shadow(r, early, from.getMetadata()));
        } catch (RuntimeException e) {
            LOG.debug("worker {}: cannot build the shadow continuation of {}", id, early.getId(), e);
            uncountedShadowSkips.add("not-built");
            return;
        }
        p.send(new ProducerRecord<>(cfg.getString(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG), key, value));
        uncountedShadowContinuations++;
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, String reason, String detail) {
        uncountedDeadLetters.add(reason);
        int prefix = cfg.getInt(WorkerConfig.DEAD_LETTER_PREFIX_CONFIG);
        DeadLetter d = DeadLetters.of(r.key(), r.value(), prefix, reason, detail)
                .setId(r.key() == null ? null : DeadLetters.boundedId(new String(r.key(), StandardCharsets.UTF_8), prefix))
                .setStage("worker")
                .setSourceTopic(r.topic())
                .setSourcePartition(r.partition())
                .setSourceOffset(r.offset())
                .setTime(System.currentTimeMillis())
                .build();
        p.send(new ProducerRecord<>(cfg.getString(WorkerConfig.DEAD_LETTER_TOPIC_CONFIG), r.key(),
                AvroSerde.of(DeadLetter.class).encode(d)));
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return out;
    }

    /** After an abort, start the batch's partitions again at their committed offsets (or the batch's first offsets). */
    private static void rewind(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        java.util.Set<TopicPartition> mine = new java.util.HashSet<>(first.keySet());
        mine.retainAll(c.assignment()); // partitions revoked meanwhile belong to another worker now
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(mine);
        for (TopicPartition tp : mine) {
            OffsetAndMetadata o = committed.get(tp);
            c.seek(tp, o != null ? o.offset() : first.get(tp));
        }
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.getString(WorkerConfig.GROUP_CONFIG));
        // only committed router output is work; offsets are committed inside our transactions, never automatically
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // one poll is one transaction: this bounds in-flight records and the time between polls
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, cfg.getInt(WorkerConfig.MAX_IN_FLIGHT_CONFIG));
        // adding a worker moves only the partitions it takes over; the others keep working
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, id + "-consumer");
        // a killed worker's partitions move after this long, not the client default 45 s; 6 s is the broker's minimum
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_500);
        if (cfg.getBoolean(WorkerConfig.STATIC_MEMBERSHIP_CONFIG)) {
            // the same id after a restart: the partitions wait for it instead of moving twice
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "pabee-worker-" + id);
        }
        return p;
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.putAll(client);
        // one id per live worker; a zombie is fenced by the group generation in sendOffsetsToTransaction (KIP-447)
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pabee-worker-" + id);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, cfg.getInt(WorkerConfig.TRANSACTION_TIMEOUT_CONFIG));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, id + "-producer");
        return p;
    }

    /** Stops after the current batch and closes the clients. */
    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Test hook: the worker dies mid-transaction and abandons its clients without closing them. */
    void crash() {
        crash = true;
    }
}
