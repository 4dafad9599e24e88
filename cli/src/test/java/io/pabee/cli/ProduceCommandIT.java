package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.broker.EmbeddedBroker;
import io.pabee.schema.TextEvent;
import io.pabee.serde.InputFormat;
import io.pabee.serde.TextEventDecoder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code produce} reads stdin and writes what the router decodes in each of its input formats. */
class ProduceCommandIT {
    private static EmbeddedBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void shouldSendJsonlFromStdinAsAvroByDefault() throws Exception {
        List<TextEvent> got = produce("avro-in", "avro", "jsonl",
                "{\"id\":\"a1\",\"text\":\"a fine film\"}\n{\"id\":\"a2\",\"text\":\"dull\",\"text_pair\":\"very\",\"patience\":2}\n");
        assertThat(got).extracting(TextEvent::getId, TextEvent::getText, TextEvent::getTextPair, TextEvent::getPatience)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a1", "a fine film", null, null),
                        org.assertj.core.groups.Tuple.tuple("a2", "dull", "very", 2));
    }

    @Test
    void shouldSendJsonWhenTheRouterReadsJson() throws Exception {
        List<TextEvent> got = produce("json-in", "json", "tsv", "j1\tgood\tpair\n");
        assertThat(got).extracting(TextEvent::getId, TextEvent::getText, TextEvent::getTextPair)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("j1", "good", "pair"));
    }

    @Test
    void shouldSendPlainTextKeyedByIdWhenTheRouterReadsText() throws Exception {
        List<TextEvent> got = produce("text-in", "text", "plain", "first line\n\nthird line\n");
        assertThat(got).extracting(TextEvent::getId, TextEvent::getText)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("line-1", "first line"),
                        org.assertj.core.groups.Tuple.tuple("line-3", "third line"));
    }

    /** Runs {@code produce} on {@code stdin} into {@code topic} and decodes the records as the router would. */
    private static List<TextEvent> produce(String topic, String inputFormat, String fileFormat, String stdin) throws Exception {
        kafka.createTopic(topic, 1, Map.of());
        InputStream before = System.in;
        int rc;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            rc = Pabee.commandLine().execute("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--format", fileFormat,
                    "--set", "pabee.topic.input=" + topic, "--set", "pabee.input.format=" + inputFormat);
        } finally {
            System.setIn(before);
        }
        assertThat(rc).isZero();
        TextEventDecoder decoder = new TextEventDecoder(InputFormat.valueOf(inputFormat.toUpperCase()));
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, Duration.ofSeconds(30), (int) stdin.lines()
                .filter(l -> !l.isBlank()).count());
        return records.stream().map(r -> decoder.decode(r.key(), r.value(), r.timestamp())).toList();
    }
}
