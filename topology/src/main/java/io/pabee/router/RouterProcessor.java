package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.PatiencePlan;
import io.pabee.adaptive.ShadowSampler;
import io.pabee.config.CommonConfigs;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.BadRecordException;
import io.pabee.serde.DeadLetters;
import io.pabee.serde.TextEventDecoder;
import io.pabee.stage.BatchOrder;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.PaddingMeter;
import io.pabee.stage.InFlight;
import io.pabee.stage.LayerModel;
import io.pabee.tokenize.TextCheck;
import io.pabee.tokenize.Tokens;
import io.pabee.wire.ContinuationCodec;
import io.pabee.wire.ResultBuilder;
import io.pabee.wire.WirePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each input event (bad ones go to the dead-letter topic with a reason), buffers good ones
 * in a changelogged store, and runs them in micro-batches (N records or T ms) through embeddings and
 * layers 1..K with PABEE exit checks: exited records become results, the rest continuations. The
 * model is the process's shared one: a task uses it and never closes it. No record can stop it: any
 * exception while handling one event (decode, tokenize, model, build) makes that event a dead letter
 * {@code internal-error} and the others go on, so a restart never meets the same failure again.
 */
final class RouterProcessor implements Processor<byte[], byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);

    private final RouterConfig cfg;
    private final LayerModel model;
    private final TextEventDecoder decoder;
    private final Serde<TextEvent> eventSerde;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final EventValidator validator;
    private final InputLimits limits;
    private final EarlyExitRunner runner;
    private final ContinuationCodec continuations;
    private final ResultBuilder results;
    private final RouterControls controls;
    private final int defaultPatience;
    private final float regressionThreshold;
    private final int batchRecords;
    /** Exited records also run to the last layer in the workers, for the agreement signal. */
    private final ShadowSampler shadowSampler;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<Long, byte[]> buffer;
    private SeenIds seen;
    private long dedupRetention;
    private long nextSeq;
    private long buffered;
    /** The producer's max.request.size, from the Streams settings. */
    private long maxRequestBytes;

    RouterProcessor(RouterConfig cfg, LayerModel model, TextEventDecoder decoder, Serde<TextEvent> eventSerde,
                    MeterRegistry metrics, Clock clock, RouterControls controls) {
        this.cfg = cfg;
        this.model = model;
        this.decoder = decoder;
        this.eventSerde = eventSerde;
        this.metrics = metrics;
        this.clock = clock;
        this.limits = InputLimits.of(cfg);
        this.validator = new EventValidator(model.numLayers(), limits);
        this.controls = controls;
        this.runner = new EarlyExitRunner(model, cfg.getInt(RouterConfig.STAGE_BATCH_CONFIG),
                BatchOrder.parse(cfg.getString(RouterConfig.BATCH_ORDER_CONFIG)));
        this.continuations = new ContinuationCodec(model, cfg.getString(RouterConfig.HIDDEN_ENCODING_CONFIG).equals("fp16"),
                controls.layers().current());
        this.results = new ResultBuilder(model);
        this.defaultPatience = cfg.getInt(RouterConfig.PATIENCE_CONFIG);
        this.regressionThreshold = cfg.getDouble(RouterConfig.REGRESSION_THRESHOLD_CONFIG).floatValue();
        this.batchRecords = cfg.getInt(RouterConfig.BATCH_RECORDS_CONFIG);
        this.shadowSampler = new ShadowSampler(cfg.getDouble(CommonConfigs.SHADOW_SAMPLE_CONFIG));
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        Map<String, Object> app = context.appConfigs();
        Object max = app.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                app.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576));
        this.maxRequestBytes = Long.parseLong(max.toString());
        this.buffer = context.getStateStore(RouterTopology.BUFFER_STORE);
        this.seen = new SeenIds(context.getStateStore(RouterTopology.SEEN_STORE),
                context.getStateStore(RouterTopology.SEEN_BY_TIME_STORE));
        this.dedupRetention = cfg.getLong(RouterConfig.DEDUP_RETENTION_CONFIG);
        if (dedupRetention > 0) {
            // forget ids older than the retention, so the stores stay bounded
            context.schedule(Duration.ofMillis(Math.max(1000, dedupRetention / 10)), PunctuationType.WALL_CLOCK_TIME,
                    ts -> seen.expireBefore(clock.millis() - dedupRetention));
        }
        try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
            while (it.hasNext()) {
                nextSeq = Math.max(nextSeq, it.next().key + 1);
                buffered++;
            }
        }
        if (buffered > 0) {
            LOG.info("router task {} restored {} buffered events", context.taskId(), buffered);
            controls.patience().waiting(buffered);
        }
        context.schedule(Duration.ofMillis(cfg.getLong(RouterConfig.BATCH_WAIT_CONFIG)), PunctuationType.WALL_CLOCK_TIME,
                ts -> flush());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        boolean buffered;
        try {
            buffered = accept(record, meta);
        } catch (RuntimeException e) {
            LOG.debug("internal error on one input record", e);
            deadLetter(record, meta, null, "internal-error", e.toString());
            return;
        }
        // outside the try: once buffered, the record is answered by the flush (which handles its own failures)
        if (buffered && this.buffered >= batchRecords) {
            flush();
        }
    }

    /** Buffers the event, or dead-letters it and returns false. */
    private boolean accept(Record<byte[], byte[]> record, RecordMetadata meta) {
        if (record.value() != null && record.value().length > limits.eventBytes()) {
            deadLetter(record, meta, null, "too-large", "value has " + record.value().length + " bytes, limit "
                    + limits.eventBytes());
            return false;
        }
        TextEvent event;
        try {
            event = decoder.decode(record.key(), record.value(), record.timestamp());
        } catch (BadRecordException e) {
            deadLetter(record, meta, null, e.reason(), e.getMessage());
            return false;
        }
        Optional<EventValidator.Rejection> bad = validator.check(event);
        if (bad.isPresent()) {
            deadLetter(record, meta, bad.get().id(), bad.get().reason(), bad.get().detail());
            return false;
        }
        long now = clock.millis();
        if (dedupRetention > 0) {
            Long first = seen.firstSeen(event.getId());
            if (first != null) {
                deadLetter(record, meta, event.getId(), "duplicate-id", "id " + event.getId() + " was already received "
                        + (now - first) + " ms ago");
                return false;
            }
            seen.add(event.getId(), now);
        }
        Pending p = new Pending(now, record.timestamp(), meta == null ? null : meta.topic(),
                meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                eventSerde.serializer().serialize(null, event));
        buffer.put(nextSeq++, p.toBytes());
        buffered++;
        controls.patience().waiting(1);
        return true;
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata meta, String id, String reason, String detail) {
        deadLetter(record.key(), record.value(), record.timestamp(), meta == null ? "" : meta.topic(),
                meta == null ? -1 : meta.partition(), meta == null ? -1L : meta.offset(), id, reason, detail);
    }

    private void deadLetter(byte[] key, byte[] value, long timestamp, String topic, int partition, long offset, String id,
                            String reason, String detail) {
        metrics.counter("pabee_dead_letters_total", "stage", "router", "reason", reason).increment();
        LOG.debug("dead letter {}: {}", reason, detail);
        String safeId = DeadLetters.boundedId(id, limits.idChars());
        DeadLetter dl = DeadLetters.of(key, value, limits.deadLetterPrefix(), reason, detail)
                .setId(safeId)
                .setStage("router")
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setTime(clock.millis())
                .build();
        byte[] bytes = AvroSerde.of(DeadLetter.class).encode(dl);
        if (!fits(safeId, bytes)) {
            // only with a prefix limit near max.request.size (the start-up check refuses that): drop the copies
            dl.setOriginalKey(null);
            dl.setOriginalValue(null);
            bytes = AvroSerde.of(DeadLetter.class).encode(dl);
        }
        context.forward(new Record<>(safeId, (Object) bytes, timestamp), RouterTopology.DEAD_LETTER_SINK);
    }

    /** A buffered event that failed after it was accepted: its stored Avro form stands in for the original value. */
    private void deadLetter(Pending p, String id, String reason, String detail) {
        deadLetter(id == null ? null : id.getBytes(java.nio.charset.StandardCharsets.UTF_8), p.event(), p.timestamp(),
                p.topic(), p.partition(), p.offset(), id, reason, detail);
    }

    /**
     * Runs everything buffered, one micro-batch at a time. The store, not the counter, says what is
     * waiting, so entries restored from the changelog always run.
     */
    private void flush() {
        while (true) {
            List<KeyValue<Long, Pending>> batch = new ArrayList<>(batchRecords);
            List<Long> broken = new ArrayList<>();
            try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
                while (it.hasNext() && batch.size() + broken.size() < batchRecords) {
                    KeyValue<Long, byte[]> kv = it.next();
                    try {
                        batch.add(KeyValue.pair(kv.key, Pending.fromBytes(kv.value)));
                    } catch (RuntimeException e) {
                        broken.add(kv.key);
                    }
                }
            }
            for (Long key : broken) {
                // cannot even say which event it was: count it, drop it from the store, go on
                metrics.counter("pabee_dead_letters_total", "stage", "router", "reason", "internal-error").increment();
                LOG.warn("dropped an unreadable router buffer entry {}", key);
                buffer.delete(key);
            }
            if (batch.isEmpty() && broken.isEmpty()) {
                buffered = 0;
                return;
            }
            if (!batch.isEmpty()) {
                runBatch(batch);
            }
            for (KeyValue<Long, Pending> kv : batch) {
                buffer.delete(kv.key);
            }
            buffered = Math.max(0, buffered - batch.size() - broken.size());
            controls.patience().waiting(-(batch.size() + broken.size()));
        }
    }

    /** One event of a micro-batch; {@code answered} once its result, continuation or dead letter is out. */
    private static final class Item {
        final TextEvent event;
        final Pending pending;
        final Tokens tokens;
        boolean answered;

        Item(TextEvent event, Pending pending, Tokens tokens) {
            this.event = event;
            this.pending = pending;
            this.tokens = tokens;
        }

        TextEvent event() {
            return event;
        }

        Pending pending() {
            return pending;
        }
    }

    private void runBatch(List<KeyValue<Long, Pending>> batch) {
        List<Item> items = new ArrayList<>(batch.size());
        for (KeyValue<Long, Pending> kv : batch) {
            String id = null;
            try {
                TextEvent e = eventSerde.deserializer().deserialize(null, kv.value.event());
                id = e.getId();
                String text = TextCheck.clean(e.getText(), "text");
                String pair = e.getTextPair() == null ? null : TextCheck.clean(e.getTextPair(), "text_pair");
                items.add(new Item(e, kv.value, model.tokenize(text, pair)));
            } catch (RuntimeException ex) {
                LOG.debug("internal error preparing buffered event {}", id, ex);
                deadLetter(kv.value, id, "internal-error", ex.toString());
            }
        }
        long t0 = System.nanoTime();
        long now = clock.millis();
        long maxAge = -1;
        for (Item item : items) {
            maxAge = Math.max(maxAge, now - item.event.getEventTime());
        }
        double meanLayers = 0;
        try {
            meanLayers = run(items);
        } catch (RuntimeException ex) {
            // one record (or the model) failed the batch: run the unanswered ones alone, so only the culprit is lost
            LOG.debug("micro-batch failed, rerunning its records one by one", ex);
            for (Item item : items) {
                if (!item.answered) {
                    try {
                        run(List.of(item));
                    } catch (RuntimeException alone) {
                        item.answered = true;
                        deadLetter(item.pending, item.event.getId(), "internal-error", alone.toString());
                    }
                }
            }
        }
        long wall = System.nanoTime() - t0;
        controls.patience().batchDone(batch.size(), maxAge, wall, meanLayers);
        metrics.timer("pabee_router_batch_seconds").record(Duration.ofNanos(wall));
        metrics.summary("pabee_router_batch_size").record(batch.size());
    }

    /** Runs the items through layers 1..K (K read once per micro-batch); returns the mean layers they ran. */
    private double run(List<Item> items) {
        int k = Math.min(controls.layers().current(), model.numLayers());
        long now = clock.millis();
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>(items.size());
        for (int index = 0; index < items.size(); index++) {
            Item item = items.get(index);
            TextEvent e = item.event;
            int requested = e.getPatience() != null ? e.getPatience() : defaultPatience;
            PatiencePlan.Choice choice = controls.patience().choose(e.getId(), requested, e.getLatencyBudgetMs(),
                    e.getEventTime(), now);
            ExitPolicy policy = WirePolicy.patience(choice.patience(), regressionThreshold, model.regression());
            InFlight r = new InFlight(index, item.tokens.length(), null, 0, policy, new ExitState());
            r.truncated = item.tokens.truncated();
            r.patienceConfigured = requested;
            r.loweredReason = choice.reason() == null ? null : choice.reason().wire();
            r.routerLayers = k;
            fresh.add(new EarlyExitRunner.Fresh(item.tokens, r));
        }
        // with pabee.batch.order=length the runner sorts the micro-batch by token count; outputs go out as records
        // exit (as before: exit order is never arrival order), each keyed by its own id
        EarlyExitRunner.Stats stats = runner.runAll(fresh, k, r -> emitResult(items.get((Integer) r.key), r),
                r -> emitContinuation(items.get((Integer) r.key), r));
        PaddingMeter.record(metrics, "router", stats);
        return items.isEmpty() ? 0 : (double) stats.layerRecords / items.size();
    }

    /**
     * Sends an encoded output, or, when the producer would refuse it, the event's dead letter
     * {@code too-large} instead: under exactly-once a refused send fails the whole transaction, so the
     * size is checked here, before sending. With limits that passed the start-up check this never fires.
     */
    private void forwardOrDeadLetter(Item item, byte[] value, String sink, String what) {
        String id = item.event().getId();
        if (fits(id, value)) {
            context.forward(new Record<>(id, (Object) value, item.pending().timestamp()), sink);
        } else {
            deadLetter(item.pending(), id, "too-large", "its " + what + " would be " + value.length
                    + " bytes, over max.request.size " + maxRequestBytes);
        }
        item.answered = true;
    }

    private boolean fits(String key, byte[] value) {
        long keyBytes = key == null ? 0 : 3L * key.length();
        return keyBytes + value.length + OutputBudget.RECORD_OVERHEAD <= maxRequestBytes;
    }

    private void emitResult(Item item, InFlight r) {
        TextEvent e = item.event();
        Classification c = results.build(e.getId(), r, ExitSite.ROUTER, e.getEventTime(), item.pending().enqueueTime(),
                clock.millis());
        metrics.counter("pabee_exits_total", "site", "router", "layer", Integer.toString(r.layersDone)).increment();
        forwardOrDeadLetter(item, AvroSerde.of(Classification.class).encode(c), RouterTopology.RESULTS_SINK, "result");
        if (r.layersDone < model.numLayers() && shadowSampler.sampled(e.getId())) {
            emitShadow(item, r, c);
        }
    }

    /**
     * A sampled record that exited early also goes on, as a shadow continuation, to the last layer in a
     * worker (which writes a shadow result, never a result). A shadow that cannot be built or sent is only
     * a missed sample: counted, and the record's answer stands.
     */
    private void emitShadow(Item item, InFlight r, Classification early) {
        try {
            byte[] value = AvroSerde.of(LayerState.class).encode(continuations.shadow(r, early, item.event().getMetadata()));
            if (fits(early.getId(), value)) {
                context.forward(new Record<>(early.getId(), (Object) value, item.pending().timestamp()),
                        RouterTopology.CONTINUATIONS_SINK);
                metrics.counter("pabee_shadow_continuations_total", "site", "router").increment();
                return;
            }
            LOG.debug("shadow continuation of {} is {} bytes, over max.request.size", early.getId(), value.length);
            metrics.counter("pabee_shadow_skipped_total", "site", "router", "reason", "too-large").increment();
        } catch (RuntimeException ex) {
            LOG.debug("cannot build the shadow continuation of {}", early.getId(), ex);
            metrics.counter("pabee_shadow_skipped_total", "site", "router", "reason", "not-built").increment();
        }
    }

    private void emitContinuation(Item item, InFlight r) {
        TextEvent e = item.event();
        LayerState s = continuations.build(e.getId(), r, e.getEventTime(), e.getMetadata(), item.pending().enqueueTime());
        metrics.counter("pabee_continuations_total").increment();
        forwardOrDeadLetter(item, AvroSerde.of(LayerState.class).encode(s), RouterTopology.CONTINUATIONS_SINK, "continuation");
    }
}
