package io.pabee.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pabee.router.RouterConfig;
import io.pabee.schema.Classification;
import io.pabee.serde.AvroSerde;
import io.pabee.serde.BadRecordException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee consume}: follow the results topic (read_committed), pretty or one JSON object per line. */
@Command(name = "consume", mixinStandardHelpOptions = true, header = "Follow labeled results.")
final class ConsumeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaRoleOptions kafka;

    @Option(names = "--json", description = "One JSON object per result.")
    boolean json;

    @Option(names = "--from-beginning", description = "Start at the oldest result instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max", description = "Stop after this many results.")
    Long max;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        RouterConfig cfg = new RouterConfig(all);
        Properties p = KafkaRoleOptions.clientProperties(all);
        p.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "pabee-consume-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // only results of committed transactions
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        PrintWriter out = spec.commandLine().getOut();
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(cfg.resultsTopic()));
            while (max == null || n < max) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Classification x;
                    try {
                        x = AvroSerde.of(Classification.class).decode(r.value());
                    } catch (BadRecordException e) {
                        spec.commandLine().getErr().printf("consume: skipping offset %d: %s%n", r.offset(), e.getMessage());
                        continue;
                    }
                    if (json) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", x.getId());
                        m.put("label", x.getLabel());
                        m.put("label_index", x.getLabelIndex());
                        m.put("probabilities", x.getProbabilities());
                        m.put("score", x.getScore());
                        m.put("exit_layer", x.getExitLayer());
                        m.put("exited_at", x.getExitedAt().name().toLowerCase());
                        m.put("latency_ms", x.getLatencyMs());
                        out.println(JSON.writeValueAsString(m));
                    } else {
                        out.printf("%-20s %-10s exit layer %2d/%d at %-6s %5d ms%n", x.getId(),
                                x.getLabel() != null ? x.getLabel() : x.getScore(), x.getExitLayer(), x.getNumLayers(),
                                x.getExitedAt().name().toLowerCase(), x.getLatencyMs());
                    }
                    out.flush();
                    if (max != null && ++n >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }
}
