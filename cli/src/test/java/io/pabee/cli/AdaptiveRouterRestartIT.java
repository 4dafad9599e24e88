package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.broker.EmbeddedBroker;
import io.pabee.config.CommonConfigs;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a router restart while patience is lowered: a burst against a 500 ms target makes the
 * adaptive controller lower patience; at the first second with results lowered for load the router's Kafka
 * Streams is closed and a new one started with the same application id. Every id then appears exactly once in
 * the committed results or dead letters (read until the topics settle).
 */
class AdaptiveRouterRestartIT {
    private static final int PATIENCE = 4;
    private static final int BURST = 500;

    @Test
    void shouldAnswerEveryIdOnceAcrossARouterRestartWhileLowered() throws Exception {
        List<TextEvents.Item> texts = TextEvents.items("", GlueReader.read(CliRun.glueDir(), GlueTask.SST_2, Split.DEV));
        LocalPipeline.Settings settings = new LocalPipeline.Settings(CliRun.tunedSst2(), "SST-2",
                LocalPipeline.Settings.SHIPPED_ROUTER_LAYERS, PATIENCE, 1, "cpu", 0, 128, "fp16")
                .with(Map.of(CommonConfigs.ADAPTIVE_CONFIG, true, CommonConfigs.SLO_CONFIG, 500L,
                        CommonConfigs.ADAPTIVE_INTERVAL_CONFIG, 250L, CommonConfigs.RAISE_AFTER_CONFIG, 1000L));
        // a burst, then arrivals for 15 s: the restart happens while records still arrive
        List<PacedLoad.Phase> phases = List.of(new PacedLoad.Phase("overload", 15, 20, BURST));
        AtomicReference<Double> plannedAtRestart = new AtomicReference<>();
        AtomicReference<PacedLoad.Second> restartedAt = new AtomicReference<>();
        try (EmbeddedBroker kafka = EmbeddedBroker.start();
             LocalPipeline p = new LocalPipeline(kafka, settings, "restart-", "restart-")) {
            p.run(PacedLoad.items("warm", texts, 0, 16), x -> { }, x -> { });
            PacedLoad.Run run = PacedLoad.run(p, "r", texts, phases, Duration.ofMinutes(5), (s, pipeline) -> {
                if (restartedAt.get() == null && s.degraded() > 0 && s.phase().equals("overload")) {
                    plannedAtRestart.set(PacedLoad.plannedPatience(pipeline.metrics()));
                    restartedAt.set(s);
                    pipeline.restartRouter();
                }
            }, System.out::println);

            assertThat(restartedAt.get()).as("a second with results lowered for load before the arrivals ended").isNotNull();
            assertThat(plannedAtRestart.get()).as("the router's planned patience at the restart").isLessThan(PATIENCE);
            assertThat(run.produced()).isGreaterThan(restartedAt.get().produced());
            assertThat(run.lost()).isZero();
            assertThat(run.duplicates()).isZero();
            assertThat(run.outcomes().values()).anyMatch(o -> "load".equals(o.loweredReason()));

            // what is committed, read until the end offsets stay put: a duplicate committed late is read too
            Map<String, Integer> copies = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(p.config().resultsTopic(), Duration.ofSeconds(3),
                    Duration.ofSeconds(60))) {
                copies.merge(AvroSerde.of(Classification.class).decode(r.value()).getId(), 1, Integer::sum);
            }
            for (ConsumerRecord<byte[], byte[]> r : kafka.readSettled(p.config().deadLetterTopic(), Duration.ofSeconds(1),
                    Duration.ofSeconds(60))) {
                DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.value());
                copies.merge(String.valueOf(d.getId()), 1, Integer::sum);
            }
            copies.keySet().removeIf(id -> id.startsWith("warm-"));
            assertThat(copies).hasSize((int) run.produced());
            for (long i = 0; i < run.produced(); i++) {
                assertThat(copies.get("r-" + i)).as("copies of r-%d", i).isEqualTo(1);
            }
        }
    }
}
