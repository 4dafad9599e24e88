package io.pabee.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.schema.Classification;
import io.pabee.schema.DeadLetter;
import io.pabee.schema.LayerState;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.LayerModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The router topology on Kafka Streams' test driver, with its input topic and its three output topics. */
final class RouterDriver {
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> input;
    final TestOutputTopic<String, Classification> results;
    final TestOutputTopic<String, LayerState> continuations;
    final TestOutputTopic<String, DeadLetter> dead;

    RouterDriver(RouterConfig cfg, LayerModel model, MeterRegistry metrics, Clock clock, String applicationId,
                 Path stateDir, Instant start) {
        this(cfg, model, metrics, clock, applicationId, stateDir, start, RouterControls.of(cfg, model, metrics));
    }

    /** The router with run-time controls the test drives itself (their timer is not started). */
    RouterDriver(RouterConfig cfg, LayerModel model, MeterRegistry metrics, Clock clock, String applicationId,
                 Path stateDir, Instant start, RouterControls controls) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RouterTopology.build(cfg, model, metrics, clock, controls), props, start);
        input = driver.createInputTopic(cfg.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(cfg.resultsTopic(), Serdes.String().deserializer(),
                AvroSerde.of(Classification.class).deserializer());
        continuations = driver.createOutputTopic(cfg.continuationsTopic(), Serdes.String().deserializer(),
                AvroSerde.of(LayerState.class).deserializer());
        dead = driver.createOutputTopic(cfg.deadLetterTopic(), Serdes.String().deserializer(),
                AvroSerde.of(DeadLetter.class).deserializer());
    }
}
