package io.pabee.router;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.stage.FakeLayerModel;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A router in its own JVM for the SIGKILL tests: the shipped topology and Streams settings over the
 * pure-Java model, running until the process is killed. Arguments: bootstrap servers, topic prefix,
 * state directory, and an optional static instance id.
 */
public final class RouterChild {
    private RouterChild() {
    }

    static RouterConfig config(String prefix, String instanceId) {
        Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics(prefix));
        props.put(RouterConfig.PARTITIONS_CONFIG, 4);
        props.put(RouterConfig.ROUTER_LAYERS_CONFIG, 3);
        props.put(RouterConfig.PATIENCE_CONFIG, 2);
        props.put(RouterConfig.BATCH_RECORDS_CONFIG, 8);
        props.put(RouterConfig.BATCH_WAIT_CONFIG, 20L);
        props.put(RouterConfig.INSTANCE_ID_CONFIG, instanceId);
        return new RouterConfig(props);
    }

    public static void main(String[] args) throws InterruptedException {
        RouterConfig cfg = config(args[1], args.length > 3 ? args[3] : "");
        Properties o = new Properties();
        o.put(StreamsConfig.STATE_DIR_CONFIG, args[2]);
        o.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        KafkaStreams streams = new KafkaStreams(RouterTopology.build(cfg, new FakeLayerModel(6), metrics),
                RouterTopology.streamsConfig(cfg, metrics, args[0], "kill-" + args[1], o));
        streams.start();
        new CountDownLatch(1).await(); // until SIGKILL
    }
}
