package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.wire.ContinuationCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router topology on the test driver with a pure-Java model (6 layers, K = 3, patience 2): a
 * steady record exits at layer 3 in the router, a {@code flip ...} record continues to layer 4.
 * The test moves wall-clock time itself, for the batch wait and for duplicate-id expiry.
 */
class RouterTopologyTest {
    private static final long WAIT_MS = 5_000;
    private static final int N = 4;
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path stateDir;
    private final FakeLayerModel model = new FakeLayerModel(6);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(START);
    private RouterConfig cfg;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Classification> results;
    private TestOutputTopic<String, LayerState> continuations;
    private TestOutputTopic<String, DeadLetter> dead;

    /** A clock the test moves together with the driver's wall clock. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private void open(Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, 3);
        p.put(RouterConfig.PATIENCE_CONFIG, 2);
        p.put(RouterConfig.BATCH_RECORDS_CONFIG, N);
        p.put(RouterConfig.BATCH_WAIT_CONFIG, WAIT_MS);
        p.put(RouterConfig.STAGE_BATCH_CONFIG, 32);
        p.put(RouterConfig.HIDDEN_ENCODING_CONFIG, "fp32");
        p.putAll(overrides);
        cfg = new RouterConfig(p);
        RouterDriver d = new RouterDriver(cfg, model, metrics, clock, "router-test", stateDir, START);
        driver = d.driver;
        input = d.input;
        results = d.results;
        continuations = d.continuations;
        dead = d.dead;
    }

    private void open() {
        open(Map.of());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void advance(Duration d) {
        clock.advance(d);
        driver.advanceWallClockTime(d);
    }

    private void send(String id, String text, Integer patience) {
        TextEvent e = TextEvent.newBuilder().setId(id).setText(text).setTextPair(null).setPatience(patience)
                .setEventTime(START.toEpochMilli() - 100).setMetadata(Map.of("source", "test")).build();
        input.pipeInput(id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e), START);
    }

    private void sendRaw(String key, String value) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), START);
    }

    private static List<String> keys(TestOutputTopic<String, ?> topic) {
        return topic.readKeyValuesToList().stream().map(kv -> kv.key).toList();
    }

    private int answered() {
        return (int) (results.getQueueSize() + continuations.getQueueSize());
    }

    @Test
    void shouldRunAMicroBatchAsSoonAsNEventsWait() {
        open();
        for (int i = 0; i < N - 1; i++) {
            send("e" + i, "a fine film", null);
        }
        assertThat(answered()).as("a partial batch waits").isZero();
        assertThat(model.embedCalls).hasValue(0);
        send("e" + (N - 1), "a fine film", null);
        assertThat(results.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("e0", "e1", "e2", "e3");
        assertThat(model.embedCalls).as("the micro-batch is embedded in one stage call").hasValue(1);
        assertThat(model.layerBatchSizes).allMatch(b -> b == N);
    }

    @Test
    void shouldRunAPartialBatchOnceTheWaitHasPassed() {
        open();
        send("a", "a fine film", null);
        send("b", "flip it", null);
        advance(Duration.ofMillis(WAIT_MS - 1000));
        assertThat(answered()).isZero();
        advance(Duration.ofMillis(1000));
        assertThat(keys(results)).containsExactly("a");
        assertThat(keys(continuations)).containsExactly("b");
    }

    @Test
    void shouldAnswerPatientRecordsAndContinueTheRest() {
        open();
        send("steady", "a fine film", null);
        send("flip", "flip flop", null);
        send("own", "a fine film", 1);
        send("deep", "flip again", null);
        Map<String, Classification> out = new HashMap<>();
        results.readKeyValuesToList().forEach(kv -> out.put(kv.key, kv.value));
        assertThat(out).containsOnlyKeys("steady", "own");
        Classification steady = out.get("steady");
        assertThat(steady.getExitLayer()).as("patience 2: layers 1..3 agree").isEqualTo(3);
        assertThat(steady.getExitedAt()).isEqualTo(ExitSite.ROUTER);
        assertThat(steady.getLabel()).isEqualTo("positive");
        assertThat(steady.getNumLayers()).isEqualTo(6);
        assertThat(steady.getModelVersion()).isEqualTo("fake-v1");
        assertThat(steady.getEnqueueTime()).isEqualTo(START.toEpochMilli());
        assertThat(steady.getLatencyMs()).isEqualTo(100L);
        assertThat(out.get("own").getExitLayer()).as("the event's own patience 1").isEqualTo(2);
        assertThat(out.get("own").getSetting()).isEqualTo("patience=1");

        List<KeyValue<String, LayerState>> cont = continuations.readKeyValuesToList();
        assertThat(cont).extracting(kv -> kv.key).containsExactly("flip", "deep");
        LayerState s = cont.get(0).value;
        assertThat(s.getNextLayer()).isEqualTo(4);
        assertThat(s.getRouterLayers()).isEqualTo(3);
        assertThat(s.getMetadata()).containsEntry("source", "test");
        InFlight resumed = ContinuationCodec.reader(model).read(s, "flip");
        assertThat(resumed.layersDone).isEqualTo(3);
        assertThat(resumed.state.counter).isZero();
        // the fake model checks that layer 4 gets layer 3's output
        model.layer(4, List.of(resumed.hidden), new int[] {resumed.length});
        assertThat(metrics.find("pabee_continuations_total").counter().count()).isEqualTo(2.0);
        assertThat(metrics.find("pabee_exits_total").tag("layer", "3").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterBadInputWithAReasonAndKeepGoing() {
        open(Map.of(RouterConfig.INPUT_FORMAT_CONFIG, "json"));
        sendRaw("k1", "{\"id\":\"k1\",\"text\":");
        sendRaw(null, "{\"text\":\"no id\"}");
        sendRaw("k3", "{\"id\":\"k3\",\"text\":\"   \"}");
        sendRaw("k4", "{\"id\":\"k4\",\"text\":\"fine\",\"patience\":7}");
        sendRaw("k5", "{\"id\":\"k5\",\"text\":\"fine\",\"text_pair\":\"\"}");
        sendRaw("k6", "{\"id\":\"k6\",\"text\":\"a fine film\"}");
        advance(Duration.ofMillis(WAIT_MS));
        List<DeadLetter> dl = dead.readValuesToList();
        assertThat(dl).extracting(DeadLetter::getReason)
                .containsExactly("invalid-json", "missing-id", "empty-text", "invalid-patience", "empty-text-pair");
        assertThat(dl.get(3).getId()).isEqualTo("k4");
        assertThat(dl.get(3).getStage()).isEqualTo("router");
        assertThat(dl.get(3).getSourceTopic()).isEqualTo(cfg.inputTopic());
        assertThat(keys(results)).containsExactly("k6");
        assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "empty-text").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterADuplicateIdUntilTheRetentionHasPassed() {
        open(Map.of(RouterConfig.DEDUP_RETENTION_CONFIG, 60_000L));
        send("a", "a fine film", null);
        advance(Duration.ofSeconds(30));
        send("a", "a fine film again", null);
        send("b", "a fine film", null);
        List<DeadLetter> dl = dead.readValuesToList();
        assertThat(dl).extracting(DeadLetter::getReason).containsExactly("duplicate-id");
        assertThat(dl.get(0).getDetail()).contains("30000 ms ago");
        KeyValueStore<Bytes, byte[]> byTime = driver.getKeyValueStore(RouterTopology.SEEN_BY_TIME_STORE);
        KeyValueStore<String, Long> byId = driver.getKeyValueStore(RouterTopology.SEEN_STORE);
        assertThat(byTime.approximateNumEntries()).isEqualTo(2);

        advance(Duration.ofSeconds(31)); // "a" is 61 s old, "b" 31 s: only "a" expires
        assertThat(byId.get("a")).isNull();
        assertThat(byId.get("b")).isNotNull();
        assertThat(byTime.approximateNumEntries()).isEqualTo(1);
        send("a", "a fine film, a day later", null);
        send("b", "b again", null);
        assertThat(dead.readValuesToList()).extracting(DeadLetter::getId).containsExactly("b");
        advance(Duration.ofMillis(WAIT_MS));
        assertThat(keys(results)).containsExactly("a", "b", "a");
    }

    @Test
    void shouldProcessBufferedEventsAfterARestart() {
        open();
        send("r1", "a fine film", null);
        send("r2", "flip it", null);
        send("r3", "a fine film", null);
        assertThat(answered()).isZero();
        // what a restarted instance restores: the buffer's changelog
        List<KeyValue<Long, byte[]>> changelog = driver.createOutputTopic("router-test-" + RouterTopology.BUFFER_STORE
                + "-changelog", Serdes.Long().deserializer(), Serdes.ByteArray().deserializer()).readKeyValuesToList();
        assertThat(changelog).hasSize(3);
        driver.close(); // stopped before the batch ran: no answer went out

        open();
        // the test driver does not restore stores; put back what Kafka Streams restores from the changelog
        KeyValueStore<Long, byte[]> buffer = driver.getKeyValueStore(RouterTopology.BUFFER_STORE);
        changelog.forEach(kv -> buffer.put(kv.key, kv.value));
        advance(Duration.ofMillis(WAIT_MS));
        assertThat(keys(results)).containsExactly("r1", "r3");
        assertThat(keys(continuations)).containsExactly("r2");
        assertThat(buffer.approximateNumEntries()).isZero();
    }
}
