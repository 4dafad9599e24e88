package io.pabee.broker;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** A broker in a Testcontainers {@code apache/kafka} container; only loaded when Docker is reachable. */
final class ContainerBroker implements KafkaBroker {

  /** The image, same Kafka version as the embedded broker; override with {@code -Dpabee.test.kafka.image=...}. */
  static final String IMAGE = System.getProperty("pabee.test.kafka.image", "apache/kafka:4.4.0");

  private final KafkaContainer container;

  private ContainerBroker(KafkaContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      // no daemon, no socket, odd environment: all mean "use the embedded broker"
      return false;
    }
  }

  @SuppressWarnings("resource") // closed by close()
  static ContainerBroker start() {
    // the image already sets the single-node replication factors; match EmbeddedBroker on the rest
    var c = new KafkaContainer(IMAGE)
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .withEnv("KAFKA_NUM_PARTITIONS", "1")
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
    c.start();
    return new ContainerBroker(c);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
