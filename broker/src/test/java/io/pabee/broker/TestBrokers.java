package io.pabee.broker;

import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** The broker of the integration tests: Testcontainers' Kafka where a Docker daemon runs, else {@link EmbeddedBroker}. */
public final class TestBrokers {
  private TestBrokers() {
  }

  /** System property choosing the broker: {@code auto} (default), {@code embedded} or {@code container}. */
  public static final String MODE_PROPERTY = "pabee.test.kafka";

  /** Starts a broker: a Testcontainers {@code apache/kafka} when Docker is reachable, else {@link EmbeddedBroker}. */
  public static KafkaBroker start() {
    var log = LoggerFactory.getLogger(KafkaBroker.class);
    String mode = System.getProperty(MODE_PROPERTY, "auto");
    boolean container = switch (mode) {
      case "embedded" -> false;
      case "container" -> true;
      case "auto" -> ContainerBroker.dockerAvailable();
      default -> throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, embedded or container: " + mode);
    };
    long t0 = System.nanoTime();
    KafkaBroker kafka = container ? ContainerBroker.start() : EmbeddedBroker.start();
    log.info("Kafka for tests: {} at {} (mode {}, started in {} ms)",
        container ? "Testcontainers " + ContainerBroker.IMAGE : "embedded KRaft broker",
        kafka.bootstrapServers(), mode, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return kafka;
  }
}
