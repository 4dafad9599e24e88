package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and unusual JSON input against a real broker: each record is classified or dead-lettered with
 * its reason, the processor keeps running, and every reason is counted.
 */
class RouterBadInputIT {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldClassifyOrDeadLetterEveryKindOfBadInput(@TempDir Path state) throws Exception {
        ModelDirectory model = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15,
                ModelDirectory.home().resolve(BaseModel.BGE_SMALL_EN_V15.id()), m -> { });
        // 988,000 characters: under pabee.limit.event.bytes (1,000,000) with its JSON wrapper; one more repeat-heavy
        // text over the limit is too-large
        String big = "a long and winding review that never seems to end . ".repeat(19_000);
        String tooBig = "a long and winding review that never seems to end . ".repeat(19_300);
        // key -> value, and what must happen: a reason, or "ok" (classified), "truncated" (classified and flagged)
        Object[][] cases = {
                {"j-ok", "{\"id\":\"j-ok\",\"text\":\"a fine , funny film .\"}", "ok"},
                {"j-bad-json", "{\"id\":\"j-bad-json\",\"text\":", "invalid-json"},
                {"j-no-text", "{\"id\":\"j-no-text\"}", "missing-text"},
                {"j-empty", "{\"id\":\"j-empty\",\"text\":\"\"}", "empty-text"},
                {"j-space", "{\"id\":\"j-space\",\"text\":\" \\t \"}", "empty-text"},
                {"j-big", "{\"id\":\"j-big\",\"text\":\"" + big + "\"}", "truncated"},
                {"j-too-big", "{\"id\":\"j-too-big\",\"text\":\"" + tooBig + "\"}", "too-large"},
                {"j-lone-surrogate", "{\"id\":\"j\\ud800x\",\"text\":\"fine\"}", "invalid-id"},
                {"j-controls", "{\"id\":\"j-controls\",\"text\":\"bell\\u0007 and nul\\u0000 inside a good film\"}", "ok"},
                {"j-unicode", "{\"id\":\"j-unicode\",\"text\":\"סרט נהדר 👍 with zero\u200bwidth spaces\"}", "ok"},
                {"j-patience", "{\"id\":\"j-patience\",\"text\":\"fine\",\"patience\":50}", "invalid-patience"},
                {"j-patience-str", "{\"id\":\"j-patience-str\",\"text\":\"fine\",\"patience\":\"soon\"}", "invalid-patience"},
                {"j-pair-empty", "{\"id\":\"j-pair-empty\",\"text\":\"first\",\"text_pair\":\"\"}", "empty-text-pair"},
                {"j-dup", "{\"id\":\"j-dup\",\"text\":\"first time\"}", "ok"},
                {"j-dup-2", "{\"id\":\"j-dup\",\"text\":\"second time, same id\"}", "duplicate-id"},
                {"j-own-patience", "{\"id\":\"j-own-patience\",\"text\":\"a great film\",\"patience\":1}", "ok"},
                {null, "{\"id\":\"j-null-key\",\"text\":\"keyless but with an id\"}", "ok"},
                {null, "{\"text\":\"keyless and no id\"}", "missing-id"},
                {"j-null-value", null, "null-value"},
        };
        try (KafkaBroker kafka = TestBrokers.start()) {
            Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics("bad-"));
            props.put(RouterConfig.PARTITIONS_CONFIG, 1);
            props.put(RouterConfig.MODEL_DIR_CONFIG, model.path().toString());
            props.put(RouterConfig.INPUT_FORMAT_CONFIG, "json");
            RouterConfig cfg = new RouterConfig(props);
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(admin, cfg);
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (Object[] c : cases) {
                String v = (String) c[1];
                in.add(new ProducerRecord<>(cfg.inputTopic(), c[0] == null ? null : b((String) c[0]), v == null ? null : b(v)));
            }
            // invalid UTF-8 bytes in the value
            in.add(new ProducerRecord<>(cfg.inputTopic(), b("j-utf8"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
            kafka.produce(cfg.inputTopic(), in);
            Properties o = new Properties();
            o.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            o.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            o.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 4 * 1024 * 1024);
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            try (OnnxLayerModel shared = RouterModel.load(cfg);
                 KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, shared, metrics),
                    RouterTopology.streamsConfig(kafka.bootstrapServers(), "bad-input", o))) {
                streams.start();
                long classifiedExpected = java.util.Arrays.stream(cases).filter(c -> c[2].equals("ok") || c[2].equals("truncated")).count();
                long deadExpected = cases.length + 1 - classifiedExpected;
                List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(cfg.deadLetterTopic(), Duration.ofSeconds(90), (int) deadExpected);
                Map<String, Boolean> classified = new LinkedHashMap<>(); // id -> truncated
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (classified.size() < classifiedExpected && System.nanoTime() < deadline) {
                    classified.clear();
                    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(cfg.resultsTopic(), Duration.ofSeconds(1), 100)) {
                        Classification c = AvroSerde.of(Classification.class).decode(r.value());
                        classified.put(c.getId(), c.getTruncated());
                    }
                    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(cfg.continuationsTopic(), Duration.ofSeconds(1), 100)) {
                        LayerState s = AvroSerde.of(LayerState.class).decode(r.value());
                        classified.put(s.getId(), s.getTruncated());
                    }
                }
                assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
                Map<String, String> reasons = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : dead) {
                    DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
                    String key = d.getOriginalKey() == null ? "null-key:" + d.getReason()
                            : new String(d.getOriginalKey().array(), StandardCharsets.UTF_8);
                    reasons.put(key, d.getReason());
                }
                assertThat(reasons).containsEntry("j-bad-json", "invalid-json").containsEntry("j-no-text", "missing-text")
                        .containsEntry("j-empty", "empty-text").containsEntry("j-space", "empty-text")
                        .containsEntry("j-patience", "invalid-patience").containsEntry("j-patience-str", "invalid-patience")
                        .containsEntry("j-pair-empty", "empty-text-pair").containsEntry("j-dup-2", "duplicate-id")
                        .containsEntry("null-key:missing-id", "missing-id").containsEntry("j-null-value", "null-value")
                        .containsEntry("j-utf8", "invalid-utf8").containsEntry("j-too-big", "too-large")
                        .containsEntry("j-lone-surrogate", "invalid-id").hasSize((int) deadExpected);
                assertThat(classified).containsOnlyKeys("j-ok", "j-big", "j-controls", "j-unicode", "j-dup", "j-own-patience",
                        "j-null-key");
                assertThat(classified.get("j-big")).as("1 MB text is truncated and flagged").isTrue();
                assertThat(classified.get("j-ok")).isFalse();
                assertThat(metrics.find("pabee_dead_letters_total").tag("reason", "empty-text").counter().count()).isEqualTo(2.0);
                // every reason counted once per dead letter
                Map<String, Long> byReason = new java.util.TreeMap<>();
                reasons.values().forEach(r -> byReason.merge(r, 1L, Long::sum));
                byReason.forEach((reason, n) -> assertThat(metrics.find("pabee_dead_letters_total").tag("reason", reason)
                        .counter().count()).as(reason).isEqualTo(n.doubleValue()));
            }
        }
    }
}
