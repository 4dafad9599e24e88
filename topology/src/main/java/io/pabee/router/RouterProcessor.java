package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.Prediction;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.BadRecordException;
import io.pabee.serde.TextEventDecoder;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.HiddenCodec;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.TextCheck;
import io.pabee.tokenize.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
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
 * layers 1..K with PABEE exit checks: exited records become results, the rest continuations.
 */
final class RouterProcessor implements Processor<byte[], byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);

    private final RouterConfig cfg;
    private final Supplier<RouterModel> modelSupplier;
    private final TextEventDecoder decoder;
    private final Serde<TextEvent> eventSerde;
    private final MeterRegistry metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<Long, byte[]> buffer;
    private KeyValueStore<String, Long> seen;
    private long dedupRetention;
    private RouterModel model;
    private long nextSeq;
    private long buffered;

    RouterProcessor(RouterConfig cfg, Supplier<RouterModel> model, TextEventDecoder decoder, Serde<TextEvent> eventSerde,
                    MeterRegistry metrics) {
        this.cfg = cfg;
        this.modelSupplier = model;
        this.decoder = decoder;
        this.eventSerde = eventSerde;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.buffer = context.getStateStore(RouterTopology.BUFFER_STORE);
        this.seen = context.getStateStore(RouterTopology.SEEN_STORE);
        this.dedupRetention = cfg.getLong(RouterConfig.DEDUP_RETENTION_CONFIG);
        if (dedupRetention > 0) {
            // forget ids older than the retention, so the store stays bounded
            context.schedule(Duration.ofMillis(Math.max(1000, dedupRetention / 10)), PunctuationType.WALL_CLOCK_TIME,
                    this::expireSeen);
        }
        this.model = modelSupplier.get();
        try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
            while (it.hasNext()) {
                nextSeq = Math.max(nextSeq, it.next().key + 1);
                buffered++;
            }
        }
        if (buffered > 0) {
            LOG.info("router task {} restored {} buffered events", context.taskId(), buffered);
        }
        context.schedule(Duration.ofMillis(cfg.getLong(RouterConfig.BATCH_WAIT_CONFIG)), PunctuationType.WALL_CLOCK_TIME,
                ts -> flush());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        TextEvent event;
        try {
            event = decoder.decode(record.key(), record.value(), record.timestamp());
            validate(event);
        } catch (BadRecordException e) {
            deadLetter(record, meta, null, e.reason(), e.getMessage());
            return;
        } catch (TextCheck.RejectedText e) {
            deadLetter(record, meta, null, e.reason(), e.getMessage());
            return;
        } catch (InvalidEvent e) {
            deadLetter(record, meta, e.id, e.reason, e.getMessage());
            return;
        }
        if (dedupRetention > 0) {
            Long first = seen.get(event.getId());
            if (first != null) {
                deadLetter(record, meta, event.getId(), "duplicate-id", "id " + event.getId() + " was already received "
                        + (System.currentTimeMillis() - first) + " ms ago");
                return;
            }
            seen.put(event.getId(), System.currentTimeMillis());
        }
        Pending p = new Pending(System.currentTimeMillis(), record.timestamp(), meta == null ? null : meta.topic(),
                meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                eventSerde.serializer().serialize(null, event));
        buffer.put(nextSeq++, p.toBytes());
        buffered++;
        if (buffered >= cfg.getInt(RouterConfig.BATCH_RECORDS_CONFIG)) {
            flush();
        }
    }

    private void expireSeen(long now) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = seen.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (now - kv.value > dedupRetention) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(seen::delete);
    }

    /** Checks that need the model: per-event patience range and the texts themselves. */
    private void validate(TextEvent e) {
        String id = e.getId();
        if (id == null || id.isBlank()) {
            throw new InvalidEvent(null, "missing-id", "event has no id");
        }
        TextCheck.clean(e.getText(), "text");
        if (e.getTextPair() != null) {
            try {
                TextCheck.clean(e.getTextPair(), "text_pair");
            } catch (TextCheck.RejectedText r) {
                throw new InvalidEvent(id, "empty-text-pair", "text_pair is given but empty or whitespace only");
            }
        }
        Integer p = e.getPatience();
        if (p != null && (p < 0 || p > model.numLayers())) {
            throw new InvalidEvent(id, "invalid-patience", "patience " + p + " is outside 0.." + model.numLayers());
        }
    }

    /** An event that decoded but cannot be classified. */
    static final class InvalidEvent extends RuntimeException {
        final String id;
        final String reason;

        InvalidEvent(String id, String reason, String message) {
            super(message);
            this.id = id;
            this.reason = reason;
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata meta, String id, String reason, String detail) {
        metrics.counter("pabee_dead_letters_total", "stage", "router", "reason", reason).increment();
        LOG.debug("dead letter {}: {}", reason, detail);
        DeadLetter dl = DeadLetter.newBuilder()
                .setId(id)
                .setOriginalKey(record.key() == null ? null : java.nio.ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : java.nio.ByteBuffer.wrap(record.value()))
                .setReason(reason)
                .setDetail(detail == null ? reason : detail.lines().findFirst().orElse(reason))
                .setStage("router")
                .setSourceTopic(meta == null ? "" : meta.topic())
                .setSourcePartition(meta == null ? -1 : meta.partition())
                .setSourceOffset(meta == null ? -1L : meta.offset())
                .setTime(System.currentTimeMillis())
                .build();
        context.forward(new Record<>(id, (Object) dl, record.timestamp()), RouterTopology.DEAD_LETTER_SINK);
    }

    /** Runs everything buffered, one micro-batch at a time. */
    private void flush() {
        int n = cfg.getInt(RouterConfig.BATCH_RECORDS_CONFIG);
        while (buffered > 0) {
            List<KeyValue<Long, Pending>> batch = new ArrayList<>(n);
            try (KeyValueIterator<Long, byte[]> it = buffer.all()) {
                while (it.hasNext() && batch.size() < n) {
                    KeyValue<Long, byte[]> kv = it.next();
                    batch.add(KeyValue.pair(kv.key, Pending.fromBytes(kv.value)));
                }
            }
            if (batch.isEmpty()) {
                buffered = 0;
                return;
            }
            runBatch(batch);
            for (KeyValue<Long, Pending> kv : batch) {
                buffer.delete(kv.key);
            }
            buffered -= batch.size();
        }
    }

    private record Item(TextEvent event, Pending pending) {
    }

    private void runBatch(List<KeyValue<Long, Pending>> batch) {
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>(batch.size());
        List<Item> items = new ArrayList<>(batch.size());
        for (KeyValue<Long, Pending> kv : batch) {
            TextEvent e = eventSerde.deserializer().deserialize(null, kv.value.event());
            String text = TextCheck.clean(e.getText(), "text");
            String pair = e.getTextPair() == null ? null : TextCheck.clean(e.getTextPair(), "text_pair");
            Tokens t = model.tokenizer.encode(text, pair);
            int index = items.size();
            items.add(new Item(e, kv.value));
            ExitPolicy policy = model.policy(e.getPatience());
            InFlight r = new InFlight(index, t.length(), null, 0, policy, new ExitState());
            r.truncated = t.truncated();
            fresh.add(new EarlyExitRunner.Fresh(t, r));
        }
        long t0 = System.nanoTime();
        model.runner.runAll(fresh, model.routerLayers(), r -> emitResult(items.get((Integer) r.key), r),
                r -> emitContinuation(items.get((Integer) r.key), r));
        metrics.timer("pabee_router_batch_seconds").record(Duration.ofNanos(System.nanoTime() - t0));
        metrics.summary("pabee_router_batch_size").record(batch.size());
    }

    private void emitResult(Item item, InFlight r) {
        Prediction p = r.policy.predict(r.state, r.last);
        long now = System.currentTimeMillis();
        TextEvent e = item.event();
        List<Float> probs = new ArrayList<>();
        if (p.probabilities() != null) {
            for (float f : p.probabilities()) {
                probs.add(f);
            }
        }
        List<String> labels = model.heads.labels();
        Classification c = Classification.newBuilder()
                .setId(e.getId())
                .setLabel(p.label() >= 0 && p.label() < labels.size() ? labels.get(p.label()) : null)
                .setLabelIndex(p.label())
                .setProbabilities(probs)
                .setScore(Float.isNaN(p.score()) ? null : p.score())
                .setExitLayer(r.layersDone)
                .setLayersRun(r.layersDone)
                .setNumLayers(model.numLayers())
                .setPolicy(r.policy.name())
                .setSetting(r.policy.setting())
                .setExitedAt(io.pabee.schema.ExitSite.ROUTER)
                .setModelVersion(model.modelVersion())
                .setTruncated(r.truncated)
                .setEventTime(e.getEventTime())
                .setEnqueueTime(item.pending().enqueueTime())
                .setExitTime(now)
                .setLatencyMs(now - e.getEventTime())
                .build();
        metrics.counter("pabee_exits_total", "site", "router", "layer", Integer.toString(r.layersDone)).increment();
        context.forward(new Record<>(e.getId(), (Object) c, item.pending().timestamp()), RouterTopology.RESULTS_SINK);
    }

    private void emitContinuation(Item item, InFlight r) {
        TextEvent e = item.event();
        io.pabee.patience.PatiencePolicy policy = (io.pabee.patience.PatiencePolicy) r.policy;
        LayerState s = LayerState.newBuilder()
                .setId(e.getId())
                .setEventTime(e.getEventTime())
                .setMetadata(e.getMetadata())
                .setTruncated(r.truncated)
                .setModelId(model.dir.manifest().base)
                .setModelVersion(model.modelVersion())
                .setTask(model.task())
                .setPolicy(policy.name())
                .setPatience(policy.patience())
                .setThreshold(policy.threshold())
                .setNextLayer(r.layersDone + 1)
                .setCounter(r.state.counter)
                .setPreviousLabel(r.state.previousLabel)
                .setPreviousScore(r.state.previousScore)
                .setHidden(java.nio.ByteBuffer.wrap(HiddenCodec.encode(r.hidden, model.fp16)))
                .setHiddenEncoding(model.fp16 ? io.pabee.schema.HiddenEncoding.FP16 : io.pabee.schema.HiddenEncoding.FP32)
                .setTokenCount(r.length)
                .setHiddenSize(model.encoder.hidden())
                .setEnqueueTime(item.pending().enqueueTime())
                .setRouterLayers(model.routerLayers())
                .build();
        metrics.counter("pabee_continuations_total").increment();
        context.forward(new Record<>(e.getId(), (Object) s, item.pending().timestamp()), RouterTopology.CONTINUATIONS_SINK);
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
