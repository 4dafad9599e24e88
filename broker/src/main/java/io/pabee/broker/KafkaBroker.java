package io.pabee.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.LoggerFactory;

/** A running Kafka broker that the one-machine commands and the tests talk to, with client helpers. */
public interface KafkaBroker extends AutoCloseable {

  /** The {@code host:port} list clients connect to. */
  String bootstrapServers();

  /** Stops the broker and removes what it wrote. */
  @Override
  void close();

  /** Creates single-partition topics and waits until the broker knows them. */
  default void createTopics(String... names) {
    createTopics(Arrays.stream(names).map(n -> new NewTopic(n, 1, (short) 1)).toList());
  }

  /** Creates one topic with the given partitions and topic configs. */
  default void createTopic(String name, int partitions, Map<String, String> configs) {
    createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
  }

  private void createTopics(List<NewTopic> topics) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      // the controller has committed the topics; wait until the broker serves their metadata too.
      // Right after creation the broker may still answer UNKNOWN_TOPIC_OR_PARTITION: retry until a deadline.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.describeTopics(topics.stream().map(NewTopic::name).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100); // metadata propagation inside the broker; bounded by the deadline above
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + topics, e);
    }
  }

  /** Byte-array producer settings (idempotent, acks=all); mutable, so a test can add {@code transactional.id}. */
  default Map<String, Object> producerConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return c;
  }

  /** Byte-array consumer settings for a group: read_committed, from the earliest offset, manual commits. */
  default Map<String, Object> consumerConfig(String group) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return c;
  }

  /** Sends the records (all for {@code topic}) and waits until every one is acknowledged. */
  default void produce(String topic, List<ProducerRecord<byte[], byte[]>> records) {
    for (var r : records) {
      if (!r.topic().equals(topic)) {
        throw new IllegalArgumentException("record for topic " + r.topic() + " passed to produce(" + topic + ", ...)");
      }
    }
    try (var producer = new KafkaProducer<byte[], byte[]>(producerConfig())) {
      sendAll(producer, topic, records);
    }
  }

  /** Sends the records (all for {@code topic}) with {@code producer} and waits until every one is acknowledged. */
  static void sendAll(org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer, String topic,
                      List<ProducerRecord<byte[], byte[]>> records) {
    try {
      List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
      for (var r : records) {
        acks.add(producer.send(r));
      }
      for (var ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  /** Reads {@code topic} from the start (read_committed) until {@code expectedCount} records or the timeout (then fewer). */
  default List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout, int expectedCount) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> c = consumerConfig("unused");
    // no group: assign() reads without joining, committing or waiting for a rebalance
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
      List<PartitionInfo> parts = consumer.partitionsFor(topic, timeout);
      while (parts.isEmpty() && System.nanoTime() < deadline) {
        parts = consumer.partitionsFor(topic, Duration.ofMillis(200));
      }
      List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      while (out.size() < expectedCount) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        consumer.poll(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)))).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Everything committed in {@code topic} once it has settled: reads from the start under read_committed
   * until the consumer's position reaches the end offsets (the last stable offsets) of every partition and
   * they have not moved for {@code quiet}; a duplicate committed late is therefore read, not missed.
   * Throws when the topic does not settle within {@code timeout}.
   */
  default List<ConsumerRecord<byte[], byte[]>> readSettled(String topic, Duration quiet, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> c = consumerConfig("unused");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> lastEnds = null;
      long quietSince = System.nanoTime();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps); // read_committed: the last stable offsets
        boolean reached = tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
        if (!reached || !ends.equals(lastEnds)) {
          lastEnds = ends;
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
          return out;
        }
      }
    }
    throw new IllegalStateException(topic + " did not settle within " + timeout + " (" + out.size() + " records read)");
  }
}
