package io.pabee.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import io.pabee.schema.ExitSite;
import io.pabee.schema.ShadowResult;
import io.pabee.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The listener on a real broker: it starts at the end of every partition (older shadow results do not
 * count), then counts each new one once with its agreement and lowering, and skips an unreadable record.
 */
class ShadowListenerIT {
    private static ProducerRecord<byte[], byte[]> shadow(String topic, String id, boolean agree, String lowered, long time) {
        ShadowResult s = ShadowResult.newBuilder().setId(id).setEarlyLabel(1).setEarlyScore(null).setFullLabel(agree ? 1 : 0)
                .setFullScore(null).setAgree(agree).setEarlyExitLayer(4).setEarlySite(ExitSite.ROUTER).setPatienceUsed(2)
                .setLoweredReason(lowered).setNumLayers(12).setModelVersion("v").setEventTime(time).setTime(time).build();
        return new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(ShadowResult.class).encode(s));
    }

    @Test
    void shouldCountOnlyShadowResultsWrittenAfterItStarted() throws Exception {
        String topic = "listener-shadow";
        try (KafkaBroker kafka = TestBrokers.start()) {
            kafka.createTopic(topic, 3, Map.of());
            long now = System.currentTimeMillis();
            List<ProducerRecord<byte[], byte[]>> before = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                before.add(shadow(topic, "old-" + i, false, null, now));
            }
            kafka.produce(topic, before);
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            try (ShadowListener listener = new ShadowListener(client, topic, new AgreementWindow(), metrics).start()) {
                long started = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!listener.started() && System.nanoTime() < started) {
                    Thread.sleep(20); // waiting for the listener to find the partitions' ends, with a deadline
                }
                assertThat(listener.started()).isTrue();
                List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    after.add(shadow(topic, "new-" + i, i < 6, i % 2 == 0 ? "load" : null, now));
                }
                after.add(new ProducerRecord<>(topic, "junk".getBytes(StandardCharsets.UTF_8),
                        "not a shadow result".getBytes(StandardCharsets.UTF_8)));
                kafka.produce(topic, after);
                long read = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while ((listener.read() < 8 || metrics.find("pabee_shadow_unreadable_total").counter() == null)
                        && System.nanoTime() < read) {
                    Thread.sleep(20); // the listener reads on its own thread
                }
                AgreementWindow.Agreement a = listener.window().agreement(now - 1000);
                assertThat(a.count()).as("the 6 written before the start do not count").isEqualTo(8);
                assertThat(a.agreeing()).isEqualTo(6);
                assertThat(a.loweredCount()).isEqualTo(4);
                assertThat(a.loweredAgreeing()).isEqualTo(3);
                assertThat(metrics.find("pabee_shadow_unreadable_total").counter().count()).isEqualTo(1.0);
            }
        }
    }
}
