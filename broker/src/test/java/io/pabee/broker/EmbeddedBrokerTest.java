package io.pabee.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedBrokerTest {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBrokerTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  // one broker for the class: starting one costs seconds
  private static EmbeddedBroker kafka;

  @BeforeAll
  static void startBroker() {
    long t0 = System.nanoTime();
    kafka = EmbeddedBroker.start();
    LOG.info("embedded broker started in {} ms at {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), kafka.bootstrapServers());
  }

  @AfterAll
  static void stopBroker() {
    Path dir = kafka.logDir();
    kafka.close();
    assertThat(dir).doesNotExist();
  }

  @Test
  @Order(1)
  void listensOnLoopbackOnly() {
    assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
    assertThat(kafka.isRunning()).isTrue();
    assertThat(Files.isDirectory(kafka.logDir())).isTrue();
  }

  @Test
  @Order(2)
  void readCommittedSeesCommittedTransactionOnly() {
    kafka.createTopics("tx");
    Map<String, Object> config = kafka.producerConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test");
    try (var producer = new KafkaProducer<byte[], byte[]>(config)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 100; i++) {
        producer.send(record("tx", "committed-" + i));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(record("tx", "aborted-" + i));
      }
      producer.flush(); // the aborted records really reach the log before the abort marker
      producer.abortTransaction();
    }

    // ask for more than 100 so that any aborted record that leaked through would be read, then time out
    List<ConsumerRecord<byte[], byte[]>> read = kafka.readAll("tx", Duration.ofSeconds(3), 110);

    assertThat(read).extracting(r -> new String(r.value(), UTF_8))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "committed-" + i).toList());
  }

  @Test
  @Order(3)
  void consumerGroupCommitsOffsets() throws Exception {
    kafka.createTopic("grp", 2, Map.of("retention.ms", "3600000"));
    kafka.produce("grp", IntStream.range(0, 6).mapToObj(i -> record("grp", "v" + i)).toList());

    int seen = 0;
    try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumerConfig("g1"))) {
      consumer.subscribe(List.of("grp"));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (seen < 6 && System.nanoTime() < deadline) {
        seen += consumer.poll(Duration.ofMillis(200)).count();
      }
      consumer.commitSync();
    }
    assertThat(seen).isEqualTo(6);

    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets("g1").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      assertThat(offsets).hasSize(2);
      assertThat(offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(6);
    }
  }

  @Test
  @Order(4)
  void restartKeepsDataPortAndAcceptsWrites() {
    kafka.createTopics("restart");
    kafka.produce("restart", List.of(record("restart", "before-0"), record("restart", "before-1")));
    String bootstrap = kafka.bootstrapServers();

    // a client that lives through the outage, as in a fault test
    try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producerConfig())) {
      producer.send(record("restart", "before-2")).get(30, TimeUnit.SECONDS);

      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      long t0 = System.nanoTime();
      kafka.restart();
      LOG.info("embedded broker restarted in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

      assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
      producer.send(record("restart", "after-0")).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    kafka.produce("restart", List.of(record("restart", "after-1")));

    assertThat(kafka.readAll("restart", WAIT, 5)).extracting(r -> new String(r.value(), UTF_8))
        .containsExactly("before-0", "before-1", "before-2", "after-0", "after-1");
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
    return new ProducerRecord<>(topic, value.getBytes(UTF_8));
  }
}
