package io.pabee.router;

import io.pabee.serde.DeadLetters;
import io.pabee.stage.LayerModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record of each output (result, continuation, buffer changelog, dead letter) that the
 * {@code pabee.limit.*} settings allow, checked at start against the producer's {@code max.request.size}
 * and each topic's {@code max.message.bytes}: a router whose limits let one accepted event produce an
 * output the broker refuses does not start.
 */
public final class OutputBudget {
    private static final Logger LOG = LoggerFactory.getLogger(OutputBudget.class);
    /** Record batch and record headers, lengths, timestamps: generous, since the check must not pass wrongly. */
    static final int RECORD_OVERHEAD = 512;
    /**
     * What a shadow continuation adds to a plain one at most: the early answer (label, score, exit layer,
     * site, patience used, lowering reason) and the configured patience. Continuations are budgeted with it,
     * since any exited record may be sampled.
     */
    static final int SHADOW_BYTES = 64;
    /** Name under which {@link #maxima} reports the producer's max.request.size. */
    public static final String PRODUCER = "producer max.request.size";
    /** Name under which {@link #maxima} reports the broker's message.max.bytes (for the changelog Streams creates). */
    public static final String CHANGELOG = "changelog (broker message.max.bytes)";

    private OutputBudget() {
    }

    /** Worst-case bytes of each output record under the limits: results, continuations, changelog, dead letters. */
    public static Map<String, Long> worstCase(RouterConfig cfg, LayerModel model) {
        InputLimits l = InputLimits.of(cfg);
        long id = l.idBytes();
        long event = l.eventBytes() + id + 64; // the accepted event re-encoded as Avro; JSON and text keys may add the id
        long strings = utf8(model.modelId()) + utf8(model.modelVersion()) + utf8(model.task()) + 64;
        long labels = model.labels().stream().mapToLong(s -> utf8(s) + 9).sum() + 5;
        Map<String, Long> out = new LinkedHashMap<>();
        out.put(cfg.resultsTopic(), 2 * id + strings + labels + 128 + RECORD_OVERHEAD);
        long hidden = (long) cfg.getInt(RouterConfig.MAX_LENGTH_CONFIG) * model.hidden()
                * (cfg.getString(RouterConfig.HIDDEN_ENCODING_CONFIG).equals("fp16") ? 2 : 4);
        out.put(cfg.continuationsTopic(), 2 * id + l.metadataBytes() + 10L * l.metadataEntries() + hidden + strings + 128
                + SHADOW_BYTES + RECORD_OVERHEAD);
        out.put(CHANGELOG, 8 + 34 + utf8(cfg.inputTopic()) + event + RECORD_OVERHEAD);
        out.put(cfg.deadLetterTopic(), 2L * l.deadLetterPrefix() + 2 * id + utf8(cfg.inputTopic())
                + DeadLetters.FIXED_OVERHEAD_BYTES + RECORD_OVERHEAD);
        return out;
    }

    /**
     * Throws a {@link ConfigException} naming each output whose worst case exceeds the producer's or its
     * topic's maximum; {@code maxima} holds {@link #PRODUCER}, {@link #CHANGELOG} and topic names (absent = unknown).
     */
    public static void check(RouterConfig cfg, LayerModel model, Map<String, Long> maxima) {
        List<String> over = new ArrayList<>();
        Long producer = maxima.get(PRODUCER);
        for (Map.Entry<String, Long> w : worstCase(cfg, model).entrySet()) {
            Long topic = maxima.get(w.getKey());
            if (producer != null && w.getValue() > producer) {
                over.add(w.getKey() + " records up to " + w.getValue() + " bytes > " + PRODUCER + " " + producer);
            }
            if (topic != null && w.getValue() > topic) {
                over.add(w.getKey() + " records up to " + w.getValue() + " bytes > its max.message.bytes " + topic);
            }
        }
        if (!over.isEmpty()) {
            throw new ConfigException("the pabee.limit.* settings (and pabee.max.length, pabee.hidden.encoding) allow output "
                    + "records the broker would refuse: " + String.join("; ", over)
                    + "; lower the limits or raise the producer's and topics' maxima");
        }
    }

    /** The producer's max.request.size (from the Streams settings) and, as far as the broker tells, each output topic's maximum. */
    public static Map<String, Long> maxima(Properties admin, RouterConfig cfg, Properties streams) {
        Map<String, Long> out = new LinkedHashMap<>();
        Object request = streams.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                streams.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576));
        out.put(PRODUCER, Long.parseLong(request.toString()));
        try (Admin a = Admin.create(admin)) {
            List<ConfigResource> resources = new ArrayList<>();
            for (String t : List.of(cfg.resultsTopic(), cfg.continuationsTopic(), cfg.deadLetterTopic())) {
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            }
            Collection<Node> nodes = a.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            if (!nodes.isEmpty()) {
                resources.add(new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString()));
            }
            Map<ConfigResource, Config> configs = a.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach((r, c) -> {
                String key = r.type() == ConfigResource.Type.BROKER ? "message.max.bytes" : TopicConfig.MAX_MESSAGE_BYTES_CONFIG;
                ConfigEntry e = c.get(key);
                if (e != null && e.value() != null) {
                    out.put(r.type() == ConfigResource.Type.BROKER ? CHANGELOG : r.name(), Long.parseLong(e.value()));
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic limits", e);
        } catch (ExecutionException | TimeoutException e) {
            // e.g. no DescribeConfigs permission: the producer's limit is still checked
            LOG.warn("cannot read the topics' max.message.bytes ({}); checking the producer's limit only", e.toString());
        }
        return out;
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length + 5;
    }
}
