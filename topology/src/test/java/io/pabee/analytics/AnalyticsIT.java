package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.router.RouterConfig;
import io.pabee.router.TopicSetup;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.serde.AvroSerde;
import io.pabee.broker.KafkaBroker;
import io.pabee.broker.TestBrokers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Analytics on a real broker: results and shadow results in, ExitStats queryable over HTTP (interactive queries) as JSON. */
class AnalyticsIT {

    @Test
    void shouldServeTheWindowOfKnownResultsOverHttp(@TempDir Path state) throws Exception {
        try (KafkaBroker kafka = TestBrokers.start()) {
            Map<String, Object> props = new HashMap<>(RouterConfig.prefixedTopics("it-analytics-"));
            props.put(RouterConfig.PARTITIONS_CONFIG, 1);
            RouterConfig cfg = new RouterConfig(props);
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            TopicSetup.ensure(admin, cfg);
            long now = System.currentTimeMillis();
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            int[] layers = {5, 5, 7, 12};
            for (int i = 0; i < layers.length; i++) {
                Classification c = Classification.newBuilder().setId("r" + i).setLabel("positive").setLabelIndex(1)
                        .setProbabilities(List.of(0.1f, 0.9f)).setScore(null).setExitLayer(layers[i]).setLayersRun(layers[i])
                        .setNumLayers(12).setPolicy("patience").setSetting("patience=4")
                        .setExitedAt(layers[i] <= 6 ? ExitSite.ROUTER : ExitSite.WORKER).setModelVersion("v").setTruncated(false)
                        .setEventTime(now).setEnqueueTime(now).setExitTime(now + 10).setLatencyMs(10).build();
                in.add(new ProducerRecord<>(cfg.resultsTopic(), null, now, ("r" + i).getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(Classification.class).encode(c)));
            }
            kafka.produce(cfg.resultsTopic(), in);
            // two shadow runs in the same window, one agreeing
            List<ProducerRecord<byte[], byte[]>> sh = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                sh.add(new ProducerRecord<>(cfg.shadowTopic(), null, now, ("r" + i).getBytes(StandardCharsets.UTF_8),
                        AvroSerde.of(io.pabee.schema.ShadowResult.class).encode(AnalyticsShadowTest.shadow("r" + i, i == 0, null))));
            }
            kafka.produce(cfg.shadowTopic(), sh);
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "it-analytics");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (KafkaStreams streams = new KafkaStreams(AnalyticsTopology.build(cfg, metrics), p);
                 StatsHttpServer http = new StatsHttpServer(0, metrics, () -> streams)) {
                streams.start();
                HttpClient client = HttpClient.newHttpClient();
                JsonNode window = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + http.port() + "/stats?minutes=5")).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        JsonNode arr = new ObjectMapper().readTree(r.body());
                        if (arr.size() == 1 && arr.get(0).get("count").asLong() == layers.length
                                && arr.get(0).get("shadow_count").asLong() == 2) {
                            window = arr.get(0);
                            break;
                        }
                    }
                    Thread.sleep(200); // polling the endpoint until the window is complete, with a deadline
                }
                assertThat(window).as("a window with all results").isNotNull();
                assertThat(window.get("mean_exit_layer").asDouble()).isEqualTo((5 + 5 + 7 + 12) / 4.0);
                assertThat(window.get("speedup").asDouble()).isEqualTo(12 / ((5 + 5 + 7 + 12) / 4.0));
                assertThat(window.get("exit_histogram").get(4).asLong()).isEqualTo(2);
                assertThat(window.get("router_share").asDouble()).isEqualTo(0.5);
                assertThat(window.get("shadow_agreement").asDouble()).isEqualTo(0.5);
                assertThat(window.get("degraded_share").asDouble()).isZero();
                assertThat(window.get("mean_patience_used").isNull()).as("v1-style results carry no patience used").isTrue();
            }
        }
    }
}
