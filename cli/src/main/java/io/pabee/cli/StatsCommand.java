package io.pabee.cli;

import io.pabee.router.RouterConfig;
import io.pabee.schema.ExitStats;
import io.pabee.serde.AvroSerde;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pabee stats}: the latest exit-stats windows from the exit-stats topic. */
@Command(name = "stats", mixinStandardHelpOptions = true, header = "Show the latest exit-statistics windows.")
final class StatsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaRoleOptions kafka;

    @Option(names = "--windows", defaultValue = "10", description = "How many latest windows (default ${DEFAULT-VALUE}).")
    int windows;

    @Override
    public Integer call() throws Exception {
        Properties all = kafka.properties();
        RouterConfig cfg = new RouterConfig(all);
        Properties p = KafkaRoleOptions.clientProperties(all);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ExitStats> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(cfg.exitStatsTopic()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), AvroSerde.of(ExitStats.class).decode(r.value())); // later updates replace earlier ones
                }
            }
        }
        List<ExitStats> rows = new ArrayList<>(latest.values());
        rows.sort(java.util.Comparator.comparingLong(ExitStats::getWindowStart));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-24s %7s %9s %8s %9s %8s %8s %7s %8s %14s  %s%n", "window start", "count", "mean exit", "speed-up", "rec/s",
                "p50 ms", "p99 ms", "router", "degraded", "shadow agree", "exit histogram");
        for (ExitStats s : rows.subList(Math.max(0, rows.size() - windows), rows.size())) {
            // shadow agreement with its sample size, "-" without shadow runs in the window
            String agree = s.getShadowAgreement() == null ? "-"
                    : String.format("%.1f%% of %d", 100 * s.getShadowAgreement(), s.getShadowCount());
            out.printf("%-24s %7d %9.2f %7.2fx %9.1f %8.0f %8.0f %6.0f%% %7.1f%% %14s  %s%n", Instant.ofEpochMilli(s.getWindowStart()),
                    s.getCount(), s.getMeanExitLayer(), s.getSpeedup(), s.getRecordsPerS(), s.getLatencyP50Ms(),
                    s.getLatencyP99Ms(), 100 * s.getRouterShare(), 100 * s.getDegradedShare(), agree, s.getExitHistogram());
        }
        out.flush();
        return 0;
    }
}
