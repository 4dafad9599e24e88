package io.pabee.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  @Test
  void picksABrokerThatWorks() {
    boolean docker = ContainerBroker.dockerAvailable();
    try (KafkaBroker kafka = TestBrokers.start()) {
      // without a Docker daemon (as on the build machines) the selector must fall back, not fail
      if (!docker) {
        assertThat(kafka).isInstanceOf(EmbeddedBroker.class);
      }
      kafka.createTopics("hello");
      kafka.produce("hello", List.of(new ProducerRecord<>("hello", "world".getBytes(UTF_8))));
      assertThat(kafka.readAll("hello", Duration.ofSeconds(30), 1))
          .extracting(r -> new String(r.value(), UTF_8)).containsExactly("world");
    }
  }
}
