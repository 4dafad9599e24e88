package io.pabee.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the project's topics if absent, with their cleanup policies. */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    public static List<NewTopic> topics(RouterConfig cfg) {
        int partitions = cfg.getInt(RouterConfig.PARTITIONS_CONFIG);
        short rf = cfg.getShort(RouterConfig.REPLICATION_CONFIG);
        List<NewTopic> out = new ArrayList<>();
        for (String t : List.of(cfg.inputTopic(), cfg.resultsTopic(), cfg.continuationsTopic(), cfg.deadLetterTopic(),
                cfg.exitStatsTopic(), cfg.shadowTopic())) {
            out.add(new NewTopic(t, partitions, rf).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_DELETE)));
        }
        // one record per schema version, kept forever: compaction, not deletion
        out.add(new NewTopic(cfg.schemasTopic(), 1, rf).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT)));
        return out;
    }

    public static void ensure(Properties adminConfig, RouterConfig cfg) {
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics(cfg).stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
