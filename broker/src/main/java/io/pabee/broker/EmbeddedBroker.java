package io.pabee.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Apache Kafka's own broker in KRaft mode (one combined broker+controller node) inside this JVM: on a
 * temp directory and free ports ({@link #start()}, tests and the one-shot commands), or on a given
 * address and data directory that outlives it ({@link #open}, {@code pabee up}).
 */
public final class EmbeddedBroker implements KafkaBroker {

  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;

  private final Path dir;
  private final Properties props;
  private final String bootstrap;
  private final boolean temporary;
  private KafkaRaftServer server;

  private EmbeddedBroker(Path dir, Properties props, String host, int brokerPort, boolean temporary) {
    this.dir = dir;
    this.props = props;
    this.bootstrap = host + ":" + brokerPort;
    this.temporary = temporary;
  }

  /** Formats fresh storage in a temp directory and starts a broker on free 127.0.0.1 ports. */
  public static EmbeddedBroker start() {
    return start(Map.of());
  }

  /** As {@link #start()}, with broker settings added or overridden. */
  public static EmbeddedBroker start(Map<String, String> overrides) {
    Path dir;
    try {
      dir = Files.createTempDirectory("pabee-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RuntimeException last = null;
    // fixed ports (not :0) so restart() comes back where clients expect it; another process may grab a port
    // between choosing and binding, hence a few tries
    for (int attempt = 0; attempt < 3; attempt++) {
      int brokerPort = freePort();
      int controllerPort = freePort();
      var kafka = new EmbeddedBroker(dir, config(dir, HOST, brokerPort, controllerPort, overrides), HOST, brokerPort, true);
      try {
        kafka.format();
        kafka.startServer();
        return kafka;
      } catch (RuntimeException e) {
        last = e;
        kafka.stop();
        deleteRecursively(dir.resolve("data"));
      }
    }
    deleteRecursively(dir);
    throw new IllegalStateException("embedded Kafka did not start", last);
  }

  /**
   * Starts a broker listening on {@code host:port} (controller on {@code host:controllerPort}) that keeps
   * its logs and metadata in {@code dataDir}: an empty or missing directory is formatted with a new
   * cluster id, one formatted before is reused as it is (its topics, offsets and transactions survive a
   * restart). {@link #close()} stops it and leaves the directory in place.
   */
  public static EmbeddedBroker open(Path dataDir, String host, int port, int controllerPort, Map<String, String> overrides) {
    Path dir = dataDir.toAbsolutePath().normalize();
    var kafka = new EmbeddedBroker(dir, config(dir, host, port, controllerPort, overrides), host, port, false);
    try {
      Files.createDirectories(dir);
      if (!isFormatted(dir)) {
        kafka.format();
      }
      kafka.startServer();
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      kafka.stop();
      throw e;
    }
  }

  /** Whether {@code dataDir} holds a formatted log directory (its {@code meta.properties}), as {@link #open} leaves it. */
  public static boolean isFormatted(Path dataDir) {
    return Files.exists(dataDir.resolve("data").resolve("meta.properties"));
  }

  private static Properties config(Path dir, String host, int brokerPort, int controllerPort, Map<String, String> overrides) {
    var p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    // one node: every internal topic must be satisfiable by one replica
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // the default 50 partitions of each internal topic make the first group/transaction seconds slower
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // tests create their topics; a typo must fail, not silently create a topic
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    // the log cleaner (needed for compacted __consumer_offsets) otherwise allocates 128 MB
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    p.putAll(overrides);
    return p;
  }

  private void format() {
    String logDir = props.getProperty("log.dirs");
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir))
          .setMetadataLogDirectory(logDir)
          .setControllerListenerName("CONTROLLER")
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format " + logDir, e);
    }
  }

  private void startServer() {
    var s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server = s;
    s.startup();
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Exception last = null;
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        } catch (Exception e) {
          last = e;
        }
      }
      throw new IllegalStateException("embedded Kafka at " + bootstrap + " not ready", last);
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrap;
  }

  /** The directory holding the broker's logs and metadata (deleted by {@link #close()} when temporary). */
  public Path logDir() {
    return dir;
  }

  /** Whether the broker is running (false between {@link #stop()} and {@link #restart()}). */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /** Shuts the broker down cleanly, keeping its data and ports for {@link #restart()}. */
  public synchronized void stop() {
    if (server != null) {
      try {
        server.shutdown();
        server.awaitShutdown();
      } finally {
        server = null;
      }
    }
  }

  /** Starts the broker again (stopping it first if needed) with the same data, cluster id and port. */
  public synchronized void restart() {
    stop();
    startServer();
  }

  @Override
  public synchronized void close() {
    try {
      stop();
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
    }
  }

  private static int freePort() {
    try (var s = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
