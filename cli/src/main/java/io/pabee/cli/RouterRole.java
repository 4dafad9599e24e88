package io.pabee.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.adaptive.AgreementWindow;
import io.pabee.config.CommonConfigs;
import io.pabee.router.OutputBudget;
import io.pabee.router.RouterConfig;
import io.pabee.router.RouterControls;
import io.pabee.router.RouterLayersTuner;
import io.pabee.router.RouterModel;
import io.pabee.router.RouterTopology;
import io.pabee.router.TopicSetup;
import io.pabee.shadow.ShadowListener;
import io.pabee.stage.OnnxLayerModel;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router role as {@code pabee router} and {@code pabee up} run it: topics ensured, schemas
 * published, the model loaded once and the output budget checked before anything starts.
 */
final class RouterRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterRole.class);
    private final OnnxLayerModel model;
    private final KafkaStreams streams;
    private final RouterControls controls;
    private final String inputTopic;
    /** Recent shadow agreement; filled by the listener while shadow sampling is on. */
    private final AgreementWindow agreement = new AgreementWindow();
    /** Null while pabee.shadow.sample is 0: no shadow results to read. */
    private final ShadowListener shadows;
    /** Moves K from the queue lags; null unless pabee.adaptive.router.layers. */
    private final RouterLayersTuner tuner;

    /**
     * Builds the router from the role's settings ({@code pabee.*} plus Kafka client settings);
     * {@code streamsOverrides} adds Streams settings (e.g. {@code state.dir}) that are no client's.
     */
    RouterRole(Properties all, MeterRegistry metrics, Properties streamsOverrides) throws Exception {
        RouterConfig cfg = new RouterConfig(all);
        KafkaRoleOptions.ensureModel(all);
        Properties client = KafkaRoleOptions.clientProperties(all);
        TopicSetup.ensure(client, cfg);
        io.pabee.serde.SchemaPublisher.publish(client, cfg.schemasTopic());
        Properties streamsClient = new Properties();
        streamsClient.putAll(client);
        streamsClient.putAll(streamsOverrides);
        String applicationId = all.getProperty("application.id", "pabee-router");
        Properties streamsProps = RouterTopology.streamsConfig(cfg, metrics, all.getProperty("bootstrap.servers"),
                applicationId, streamsClient);
        // loaded once, before any task runs: a missing or tampered model file stops the command with a one-line
        // error, and every task of every stream thread shares this copy across rebalances
        model = RouterModel.load(cfg);
        inputTopic = cfg.inputTopic();
        controls = RouterControls.of(cfg, model, metrics);
        try {
            // one accepted event must not produce an output the broker refuses: a start-up error instead
            OutputBudget.check(cfg, model, OutputBudget.maxima(client, cfg, streamsProps));
            streams = new KafkaStreams(RouterTopology.build(cfg, model, metrics, java.time.Clock.systemUTC(), controls),
                    streamsProps);
            // the router's consumer group is its application id
            tuner = cfg.adaptiveRouterLayers() ? new RouterLayersTuner(cfg, controls.layers(), client, applicationId, metrics) : null;
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
        shadows = cfg.getDouble(CommonConfigs.SHADOW_SAMPLE_CONFIG) > 0
                ? new ShadowListener(client, cfg.shadowTopic(), agreement, metrics) : null;
        controls.agreement(agreement);
    }

    /** The recent shadow agreement the workers report (empty while shadow sampling is off). */
    AgreementWindow agreement() {
        return agreement;
    }

    KafkaStreams streams() {
        return streams;
    }

    /** The run-time controls (adaptive patience, K) of this router. */
    RouterControls controls() {
        return controls;
    }

    RouterRole start() {
        controls.watch(streams, inputTopic);
        if (shadows != null) {
            shadows.start();
        }
        streams.start();
        if (tuner != null) {
            tuner.start();
        }
        return this;
    }

    /**
     * Closes the streams instance leaving the group at once, so a router that is stopped (scaled down,
     * redeployed) hands its partitions over now: the default close keeps the membership until the
     * session times out, and with static membership it would never send the leave. Then the model,
     * unless a stream thread may still be running it (the close timed out): freeing native memory under
     * a running inference would crash the JVM, so the model is left to the process exit then.
     */
    @Override
    public void close() {
        if (tuner != null) {
            tuner.close();
        }
        if (shadows != null) {
            shadows.close();
        }
        boolean stopped = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        controls.close();
        if (stopped) {
            model.close();
        } else {
            LOG.warn("router did not stop within 30 s; its model stays loaded until the process exits");
        }
    }
}
