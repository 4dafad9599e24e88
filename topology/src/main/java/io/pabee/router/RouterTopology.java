package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.InputFormat;
import io.pabee.serde.TextEventDecoder;
import io.pabee.stage.LayerModel;
import java.time.Clock;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The router: input topic → validate / buffer / micro-batch PABEE layers 1..K → results,
 * continuations, dead letters. {@link #build} is what ships and what the tests run.
 */
public final class RouterTopology {
    public static final String SOURCE = "text-events";
    public static final String PROCESSOR = "pabee-router";
    public static final String BUFFER_STORE = "router-buffer";
    /** Ids seen recently (id → first-seen time), to dead-letter duplicates; changelogged like the buffer. */
    public static final String SEEN_STORE = "router-seen-ids";
    /** The same ids indexed by (first-seen time, id), so expiry reads only what expired. */
    public static final String SEEN_BY_TIME_STORE = "router-seen-by-time";
    public static final String RESULTS_SINK = "results";
    public static final String CONTINUATIONS_SINK = "continuations";
    public static final String DEAD_LETTER_SINK = "dead-letters";

    private RouterTopology() {
    }

    /**
     * The router over {@code model}, the process's one shared model: every task of every stream
     * thread uses it, across rebalances; the caller closes it after the streams instance.
     */
    public static Topology build(RouterConfig cfg, LayerModel model, MeterRegistry metrics) {
        return build(cfg, model, metrics, Clock.systemUTC());
    }

    /** As {@link #build(RouterConfig, LayerModel, MeterRegistry)}, with the clock for enqueue, exit and dedup times. */
    public static Topology build(RouterConfig cfg, LayerModel model, MeterRegistry metrics, Clock clock) {
        // without a caller to watch the streams instance, the controller sees the buffered records only
        RouterControls controls = RouterControls.of(cfg, model, metrics);
        controls.patience().start();
        return build(cfg, model, metrics, clock, controls);
    }

    /**
     * The router with the process's run-time {@code controls} (adaptive patience, K); the caller starts
     * them with {@link RouterControls#watch} once the streams instance exists, and closes them after it.
     * Registers gauge {@code pabee_router_layers} (K, which a {@link RouterLayersTuner} may move).
     */
    public static Topology build(RouterConfig cfg, LayerModel model, MeterRegistry metrics, Clock clock, RouterControls controls) {
        RouterLayersTuner.gauge(metrics, controls.layers());
        Serde<TextEvent> events = AvroSerde.of(TextEvent.class);
        TextEventDecoder decoder = new TextEventDecoder(InputFormat.valueOf(cfg.getString(RouterConfig.INPUT_FORMAT_CONFIG)
                .toUpperCase()));
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), cfg.inputTopic());
        t.addProcessor(PROCESSOR, () -> new RouterProcessor(cfg, model, decoder, events, metrics, clock, controls), SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.Long(),
                Serdes.ByteArray()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SEEN_STORE), Serdes.String(),
                Serdes.Long()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SEEN_BY_TIME_STORE), Serdes.Bytes(),
                Serdes.ByteArray()), PROCESSOR);
        // the processor sends Avro bytes it encoded itself, so it knows each record's size before sending
        t.addSink(RESULTS_SINK, cfg.resultsTopic(), Serdes.String().serializer(),
                cast(Serdes.ByteArray().serializer()), PROCESSOR);
        t.addSink(CONTINUATIONS_SINK, cfg.continuationsTopic(), Serdes.String().serializer(),
                cast(Serdes.ByteArray().serializer()), PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, cfg.deadLetterTopic(), Serdes.String().serializer(),
                cast(Serdes.ByteArray().serializer()), PROCESSOR);
        return t;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<Object> cast(Serializer<?> s) {
        return (Serializer<Object>) s;
    }

    /**
     * As {@link #streamsConfig(String, String, Properties)}, plus what comes from the router's own
     * settings: its {@code pabee.*} keys for the exception handlers (dead-letter topic, limits), the
     * metrics registry they count into, and static membership when {@code pabee.router.instance.id} is set.
     */
    public static Properties streamsConfig(RouterConfig cfg, MeterRegistry metrics, String bootstrap, String applicationId,
                                           Properties overrides) {
        Properties p = new Properties();
        cfg.originals().forEach((k, v) -> {
            if (k.startsWith("pabee.")) {
                p.put(k, v);
            }
        });
        if (metrics != null) {
            p.put(DeadLetterHandlers.METRICS_CONFIG, metrics);
        }
        String instance = cfg.getString(RouterConfig.INSTANCE_ID_CONFIG);
        if (!instance.isBlank()) {
            // a restarted instance with the same id gets its partitions back without a rebalance; Streams adds
            // a per-thread suffix. Closing for good must then leave the group explicitly (see RouterCommand).
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instance);
        }
        p.putAll(streamsConfig(bootstrap, applicationId, overrides));
        return p;
    }

    /** Streams settings: exactly-once v2, and the defaults the router relies on. */
    public static Properties streamsConfig(String bootstrap, String applicationId, Properties overrides) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // a crash must neither lose a buffered event nor emit a result twice
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // a micro-batch of N records through K layers takes well under a second on CPU; one poll
        // returns at most this many records, so the time between polls stays far below max.poll.interval.ms
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 256);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 300_000);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Streams keeps up to this many fetched records per input partition in heap before it pauses the
        // partition (default 1,000); with events up to pabee.limit.event.bytes (1 MB) that default could hold
        // ~1 GB per partition. 128 still keeps a micro-batch (pabee.batch.max.records) fed from one partition.
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 128);
        // a dead router is noticed after this long, not the client default 45 s: its partitions move (or, with
        // static membership, wait for it) only then. 6 s is the broker's default minimum.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_500);
        // a dead router's open transaction holds back read_committed readers of its outputs until it times
        // out; a micro-batch of N records through K layers commits well within this
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 6_000);
        // one record must never stop the router: what the processor cannot handle itself becomes a dead letter
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Production.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Processing.class.getName());
        p.putAll(overrides);
        return p;
    }
}
