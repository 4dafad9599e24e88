package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import io.pabee.tokenize.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits and failures on the test driver: every over-limit event, invalid id and failing record is a
 * dead letter with its reason (bounded in size), and the events around it are still answered.
 */
class RouterLimitsTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final long WAIT_MS = 1_000;

    /** The fake model, except that a record of exactly 13 words makes any layer call holding it throw. */
    static final class FailingModel extends FakeLayerModel {
        FailingModel() {
            super(6);
        }

        @Override
        public Tokens tokenize(String text, String pair) {
            if (text.startsWith("tokenizer-bomb")) {
                throw new IllegalStateException("tokenizer failed\nsecond line");
            }
            return super.tokenize(text, pair);
        }

        @Override
        public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
            for (int l : lengths) {
                if (l == 13) {
                    throw new IllegalStateException("layer " + layer + " failed on a 13-token record");
                }
            }
            return super.layer(layer, hiddens, lengths);
        }
    }

    @TempDir
    Path stateDir;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final RouterTopologyTest.MutableClock clock = new RouterTopologyTest.MutableClock(START);
    private RouterConfig cfg;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Classification> results;
    private TestOutputTopic<String, LayerState> continuations;
    private TestOutputTopic<String, DeadLetter> dead;

    private void open(Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, 3);
        p.put(RouterConfig.PATIENCE_CONFIG, 2);
        p.put(RouterConfig.BATCH_RECORDS_CONFIG, 64);
        p.put(RouterConfig.BATCH_WAIT_CONFIG, WAIT_MS);
        p.put(RouterConfig.HIDDEN_ENCODING_CONFIG, "fp32");
        p.putAll(overrides);
        cfg = new RouterConfig(p);
        RouterDriver d = new RouterDriver(cfg, new FailingModel(), metrics, clock, "router-limits-test", stateDir, START);
        driver = d.driver;
        input = d.input;
        results = d.results;
        continuations = d.continuations;
        dead = d.dead;
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void flush() {
        clock.advance(Duration.ofMillis(WAIT_MS));
        driver.advanceWallClockTime(Duration.ofMillis(WAIT_MS));
    }

    private void sendJson(String key, String json) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), START);
    }

    private void sendAvro(String id, String text, Map<String, String> meta) {
        TextEvent e = TextEvent.newBuilder().setId(id).setText(text).setTextPair(null).setPatience(null)
                .setEventTime(START.toEpochMilli()).setMetadata(meta).build();
        input.pipeInput(id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e), START);
    }

    /** Reason by key (original key prefix as text), and every dead letter's id. */
    private Map<String, DeadLetter> deadByKey() {
        Map<String, DeadLetter> out = new LinkedHashMap<>();
        for (DeadLetter d : dead.readValuesToList()) {
            String key = d.getOriginalKey() == null ? "null" : StandardCharsets.UTF_8.decode(d.getOriginalKey()).toString();
            out.put(key.length() > 40 ? key.substring(0, 40) : key, d);
        }
        return out;
    }

    private List<String> answeredIds() {
        List<String> ids = new java.util.ArrayList<>();
        results.readKeyValuesToList().forEach(kv -> ids.add(kv.key));
        continuations.readKeyValuesToList().forEach(kv -> ids.add(kv.key));
        return ids;
    }

    @Test
    void shouldDeadLetterInvalidIdsWithoutRewritingThem() {
        open(Map.of(RouterConfig.INPUT_FORMAT_CONFIG, "json", RouterConfig.LIMIT_ID_CHARS_CONFIG, 20));
        sendJson("lone", "{\"id\":\"a\\ud800b\",\"text\":\"a fine film\"}");
        sendJson("lone-low", "{\"id\":\"a\\udc00\",\"text\":\"a fine film\"}");
        sendJson("ctrl", "{\"id\":\"a\\u0007b\",\"text\":\"a fine film\"}");
        sendJson("long", "{\"id\":\"" + "x".repeat(21) + "\",\"text\":\"a fine film\"}");
        sendJson("emoji", "{\"id\":\"ok-\\ud83d\\udc4d\",\"text\":\"a fine film\"}");
        sendJson("twenty", "{\"id\":\"" + "y".repeat(20) + "\",\"text\":\"a fine film\"}");
        flush();
        Map<String, DeadLetter> d = deadByKey();
        assertThat(d).containsOnlyKeys("lone", "lone-low", "ctrl", "long");
        assertThat(d.values()).allSatisfy(x -> {
            assertThat(x.getReason()).isEqualTo("invalid-id");
            assertThat(x.getId()).as("an invalid id is never rewritten into the dead letter").isNull();
        });
        assertThat(d.get("lone").getDetail()).contains("unpaired surrogate");
        assertThat(d.get("ctrl").getDetail()).contains("U+0007");
        assertThat(answeredIds()).containsExactlyInAnyOrder("ok-\uD83D\uDC4D", "y".repeat(20));
        assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "invalid-id").counter().count()).isEqualTo(4.0);
    }

    @Test
    void shouldDeadLetterEventsOverEachSizeLimitWithABoundedCopy() {
        open(Map.of(RouterConfig.LIMIT_EVENT_BYTES_CONFIG, 4096, RouterConfig.LIMIT_TEXT_CHARS_CONFIG, 1000,
                RouterConfig.LIMIT_METADATA_ENTRIES_CONFIG, 3, RouterConfig.LIMIT_METADATA_BYTES_CONFIG, 100,
                RouterConfig.DEAD_LETTER_PREFIX_CONFIG, 64, RouterConfig.LIMIT_TEXT_PAIR_CHARS_CONFIG, 500));
        sendAvro("bytes", "x ".repeat(3000), null);
        TextEvent pair = TextEvent.newBuilder().setId("pair").setText("a fine film").setTextPair("p".repeat(501)).setPatience(null)
                .setEventTime(START.toEpochMilli()).setMetadata(null).build();
        input.pipeInput("pair".getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(pair), START);
        sendAvro("chars", "y".repeat(1001), null);
        sendAvro("entries", "a fine film", Map.of("a", "1", "b", "2", "c", "3", "d", "4"));
        sendAvro("meta-bytes", "a fine film", Map.of("a", "z".repeat(100)));
        sendAvro("at-limits", "w".repeat(1000), Map.of("a", "1", "b", "2", "c", "z".repeat(94)));
        flush();
        Map<String, DeadLetter> d = deadByKey();
        assertThat(d).containsOnlyKeys("bytes", "chars", "pair", "entries", "meta-bytes");
        assertThat(d.values()).extracting(DeadLetter::getReason).containsOnly("too-large");
        DeadLetter bytes = d.get("bytes");
        assertThat(bytes.getOriginalValue().remaining()).isEqualTo(64);
        assertThat(bytes.getOriginalValueLength()).isGreaterThan(4096);
        assertThat(bytes.getOriginalValueSha256()).hasSize(64);
        assertThat(bytes.getDetail()).contains("limit 4096");
        assertThat(d.get("chars").getId()).isEqualTo("chars");
        assertThat(answeredIds()).containsExactly("at-limits");
        assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "too-large").counter().count()).isEqualTo(5.0);
    }

    @Test
    void shouldDeadLetterOnlyTheRecordThatMakesTheModelFail() {
        open(Map.of());
        sendAvro("before", "a fine film", null);
        sendAvro("kaboom", "one two three four five six seven eight nine ten eleven twelve thirteen", null);
        sendAvro("tok", "tokenizer-bomb here", null);
        sendAvro("flip", "flip it", null);
        sendAvro("after", "a fine film", null);
        flush();
        Map<String, DeadLetter> d = deadByKey();
        assertThat(d).containsOnlyKeys("kaboom", "tok");
        assertThat(d.get("kaboom").getReason()).isEqualTo("internal-error");
        assertThat(d.get("kaboom").getDetail()).contains("failed on a 13-token record");
        assertThat(d.get("kaboom").getId()).isEqualTo("kaboom");
        assertThat(d.get("tok").getDetail()).contains("tokenizer failed").doesNotContain("second line");
        assertThat(answeredIds()).containsExactlyInAnyOrder("before", "flip", "after");
        assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "internal-error").counter().count()).isEqualTo(2.0);
        // the buffer is empty: a restart would not meet the failing record again
        assertThat(driver.getKeyValueStore(RouterTopology.BUFFER_STORE).approximateNumEntries()).isZero();
    }

    @Test
    void shouldFitTheDefaultLimitsUnderTheDefaultMaximaAndRefuseLimitsThatCannotFit() {
        Map<String, Long> maxima = Map.of(OutputBudget.PRODUCER, 1_048_576L, OutputBudget.CHANGELOG, 1_048_588L,
                "pabee-results", 1_048_588L, "pabee-continuations", 1_048_588L, "pabee-dead-letters", 1_048_588L);
        FakeLayerModel model = new FakeLayerModel(6);
        OutputBudget.check(new RouterConfig(Map.of()), model, maxima);
        assertThat(OutputBudget.worstCase(new RouterConfig(Map.of()), model).values()).allMatch(v -> v < 1_048_576L);
        RouterConfig tooBig = new RouterConfig(Map.of(RouterConfig.LIMIT_EVENT_BYTES_CONFIG, 1_048_440));
        assertThatThrownBy(() -> OutputBudget.check(tooBig, model, maxima)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("changelog").hasMessageContaining("max.request.size");
        RouterConfig bigPrefix = new RouterConfig(Map.of(RouterConfig.DEAD_LETTER_PREFIX_CONFIG, 1_000_000));
        assertThatThrownBy(() -> OutputBudget.check(bigPrefix, model, Map.of("pabee-dead-letters", 1_048_588L)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pabee-dead-letters");
    }

    @Test
    void shouldReplaceARefusedResultWithADeadLetter() {
        DeadLetterHandlers.Production handler = new DeadLetterHandlers.Production();
        handler.configure(Map.of(RouterConfig.DEAD_LETTER_TOPIC_CONFIG, "dl", DeadLetterHandlers.METRICS_CONFIG, metrics));
        byte[] huge = new byte[2_000_000];
        ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>("pabee-results", 0, "id-1".getBytes(StandardCharsets.UTF_8), huge);
        var context = new DefaultErrorHandlerContext(null, "in", 0, 7L, null, "sink", null, 0L, null, null);
        ProductionExceptionHandler.Response r = handler.handleError(context, refused, new RecordTooLargeException("too big"));
        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(r.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertThat(dl.topic()).isEqualTo("dl");
        DeadLetter d = AvroSerde.of(DeadLetter.class).decode(dl.value());
        assertThat(d.getReason()).isEqualTo("too-large");
        assertThat(d.getId()).isEqualTo("id-1");
        assertThat(d.getOriginalValueLength()).isEqualTo(2_000_000);
        assertThat(dl.value().length).isLessThan(10_000);
        assertThat(handler.handleError(context, new ProducerRecord<>("app-router-buffer-changelog", huge, huge),
                new RecordTooLargeException("too big")).result()).as("a changelog record is never dropped")
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "too-large").counter().count()).isEqualTo(1.0);
    }
}
