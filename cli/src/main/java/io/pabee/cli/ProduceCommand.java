package io.pabee.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.router.RouterConfig;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.InputFormat;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee produce}: send texts (plain lines, TSV or JSONL) to the input topic, optionally
 * rate-limited, in the router's input format ({@code pabee.input.format}: Avro TextEvents by default).
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        header = "Send texts to the input topic in the router's input format (pabee.input.format: avro, json or text).")
final class ProduceCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaRoleOptions kafka;

    @Option(names = "--input", defaultValue = "-", description = "File, or '-' for stdin (default).")
    String input;

    @Option(names = "--format", defaultValue = "plain",
            description = "plain (one text per line), tsv (id<TAB>text[<TAB>text_pair]) or jsonl ({\"id\":..,\"text\":..}).")
    String format;

    @Option(names = "--rate", defaultValue = "0", description = "Records per second (0 = as fast as possible).")
    double rate;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        RouterConfig cfg = new RouterConfig(all);
        InputFormat encoding = InputFormat.valueOf(cfg.getString(RouterConfig.INPUT_FORMAT_CONFIG).toUpperCase());
        Properties p = KafkaRoleOptions.clientProperties(all);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long sent = 0;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
             BufferedReader r = new BufferedReader(new InputStreamReader(
                     input.equals("-") ? System.in : Files.newInputStream(Path.of(input)), StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                TextEvent.Builder b = TextEvent.newBuilder().setEventTime(System.currentTimeMillis()).setTextPair(null)
                        .setPatience(null).setMetadata(null);
                switch (format) {
                    case "plain" -> b.setId("line-" + n).setText(line.strip());
                    case "tsv" -> {
                        String[] f = line.split("\t", -1);
                        if (f.length < 2) {
                            throw new CommandLine.ParameterException(spec.commandLine(), "line " + n + ": TSV needs id<TAB>text");
                        }
                        b.setId(f[0]).setText(f[1]).setTextPair(f.length > 2 ? f[2] : null);
                    }
                    case "jsonl" -> {
                        JsonNode j = JSON.readTree(line);
                        b.setId(j.path("id").asText("line-" + n)).setText(j.path("text").asText());
                        if (j.hasNonNull("text_pair")) {
                            b.setTextPair(j.get("text_pair").asText());
                        }
                        if (j.hasNonNull("patience")) {
                            b.setPatience(j.get("patience").asInt());
                        }
                    }
                    default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown format " + format);
                }
                TextEvent e = b.build();
                producer.send(new ProducerRecord<>(cfg.inputTopic(), e.getId().getBytes(StandardCharsets.UTF_8), encode(e, encoding, n)));
                sent++;
                if (rate > 0) {
                    long due = start + (long) (sent / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing, not synchronisation
                    }
                }
            }
            producer.flush();
        }
        spec.commandLine().getErr().printf("produce: sent %d events to %s (%s)%n", sent, cfg.inputTopic(),
                encoding.name().toLowerCase());
        return 0;
    }

    /** The record value as the router decodes it (TextEventDecoder); the key is the id in every format. */
    private byte[] encode(TextEvent e, InputFormat encoding, int line) throws Exception {
        return switch (encoding) {
            case AVRO -> AvroSerde.of(TextEvent.class).encode(e);
            case JSON -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.getId());
                m.put("text", e.getText());
                if (e.getTextPair() != null) {
                    m.put("text_pair", e.getTextPair());
                }
                if (e.getPatience() != null) {
                    m.put("patience", e.getPatience());
                }
                m.put("event_time", e.getEventTime());
                yield JSON.writeValueAsBytes(m);
            }
            case TEXT -> {
                if (e.getTextPair() != null || e.getPatience() != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "line " + line
                            + ": pabee.input.format=text carries the text only (no text_pair or patience)");
                }
                yield e.getText().getBytes(StandardCharsets.UTF_8);
            }
        };
    }
}
