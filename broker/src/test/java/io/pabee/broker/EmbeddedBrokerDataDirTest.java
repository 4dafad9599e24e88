package io.pabee.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker opened on a data directory keeps its topics and records across a close and a second open. */
class EmbeddedBrokerDataDirTest {

  @TempDir
  Path tmp;

  @Test
  void shouldKeepTopicsAndRecordsWhenReopenedOnTheSameDataDirectory() throws Exception {
    Path data = tmp.resolve("kafka");
    int port = freePort();
    int controller = freePort();
    String clusterId;
    try (EmbeddedBroker kafka = EmbeddedBroker.open(data, "127.0.0.1", port, controller, Map.of())) {
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      kafka.createTopic("kept", 2, Map.of());
      kafka.produce("kept", List.of(new ProducerRecord<>("kept", "k".getBytes(UTF_8), "v1".getBytes(UTF_8)),
          new ProducerRecord<>("kept", "k".getBytes(UTF_8), "v2".getBytes(UTF_8))));
      clusterId = clusterId(data);
    }
    assertThat(EmbeddedBroker.isFormatted(data)).isTrue();
    try (EmbeddedBroker kafka = EmbeddedBroker.open(data, "127.0.0.1", port, controller, Map.of())) {
      assertThat(clusterId(data)).isEqualTo(clusterId);
      assertThat(kafka.readAll("kept", Duration.ofSeconds(30), 2)).extracting(r -> new String(r.value(), UTF_8))
          .containsExactly("v1", "v2");
    }
    assertThat(data).isDirectory();
  }

  private static String clusterId(Path data) throws IOException {
    return Files.readAllLines(data.resolve("data").resolve("meta.properties")).stream()
        .filter(l -> l.startsWith("cluster.id=")).findFirst().orElseThrow();
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
