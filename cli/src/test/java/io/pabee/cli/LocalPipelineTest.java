package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.config.CommonConfigs;
import io.pabee.router.RouterConfig;
import io.pabee.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-machine pipeline names its topics like the shipped roles do, and hands every option to router and workers. */
class LocalPipelineTest {
    private final LocalPipeline.Settings settings = new LocalPipeline.Settings(Path.of("m"), "RTE", 3, 2, 3, "cpu", 2, 96, "fp32");

    @Test
    void shouldUseTheShippedTopicNamesWithoutAPrefix() {
        RouterConfig cfg = LocalPipeline.routerConfig(settings, "");
        assertThat(cfg.inputTopic()).isEqualTo("pabee-text-events");
        assertThat(cfg.resultsTopic()).isEqualTo("pabee-results");
        assertThat(LocalPipeline.routerConfig(settings, "e2e0-").inputTopic()).isEqualTo("e2e0-pabee-text-events");
    }

    @Test
    void shouldHandEverySettingToRouterAndWorkers() {
        RouterConfig cfg = LocalPipeline.routerConfig(settings, "x-");
        assertThat(cfg.getString(RouterConfig.TASK_CONFIG)).isEqualTo("RTE");
        assertThat(cfg.getInt(RouterConfig.ROUTER_LAYERS_CONFIG)).isEqualTo(3);
        assertThat(cfg.getInt(RouterConfig.PATIENCE_CONFIG)).isEqualTo(2);
        assertThat(cfg.getInt(RouterConfig.THREADS_CONFIG)).isEqualTo(2);
        assertThat(cfg.getInt(RouterConfig.MAX_LENGTH_CONFIG)).isEqualTo(96);
        assertThat(cfg.getString(RouterConfig.HIDDEN_ENCODING_CONFIG)).isEqualTo("fp32");
        assertThat(cfg.getInt(RouterConfig.PARTITIONS_CONFIG)).isEqualTo(3);
        WorkerConfig w = LocalPipeline.workerConfig(cfg, settings, "g");
        assertThat(w.getString(WorkerConfig.CONTINUATIONS_TOPIC_CONFIG)).isEqualTo("x-pabee-continuations");
        assertThat(w.getString(WorkerConfig.RESULTS_TOPIC_CONFIG)).isEqualTo("x-pabee-results");
        assertThat(w.getString(WorkerConfig.TASK_CONFIG)).isEqualTo("RTE");
        assertThat(w.getString(WorkerConfig.MODEL_DIR_CONFIG)).isEqualTo("m");
        assertThat(w.getInt(WorkerConfig.THREADS_CONFIG)).isEqualTo(2);
        assertThat(w.getString(WorkerConfig.DEVICE_CONFIG)).isEqualTo("cpu");
        assertThat(w.getInt(WorkerConfig.PATIENCE_CONFIG)).as("the workers' controller tops out at the router's patience").isEqualTo(2);
    }

    @Test
    void shouldHandFurtherSettingsToTheRolesThatDefineThem() {
        LocalPipeline.Settings more = settings.with(Map.of(CommonConfigs.ADAPTIVE_CONFIG, true, CommonConfigs.SLO_CONFIG, "700",
                RouterConfig.BATCH_RECORDS_CONFIG, 64, WorkerConfig.MAX_IN_FLIGHT_CONFIG, 40));
        RouterConfig cfg = LocalPipeline.routerConfig(more, "x-");
        assertThat(cfg.getBoolean(CommonConfigs.ADAPTIVE_CONFIG)).isTrue();
        assertThat(cfg.getLong(CommonConfigs.SLO_CONFIG)).isEqualTo(700L);
        assertThat(cfg.getInt(RouterConfig.BATCH_RECORDS_CONFIG)).isEqualTo(64);
        assertThat(cfg.getString(CommonConfigs.SHADOW_TOPIC_CONFIG)).isEqualTo("x-pabee-shadow");
        assertThat(cfg.originals()).doesNotContainKey(WorkerConfig.MAX_IN_FLIGHT_CONFIG);
        WorkerConfig w = LocalPipeline.workerConfig(cfg, more, "g");
        assertThat(w.getBoolean(CommonConfigs.ADAPTIVE_CONFIG)).isTrue();
        assertThat(w.getLong(CommonConfigs.SLO_CONFIG)).isEqualTo(700L);
        assertThat(w.getInt(WorkerConfig.MAX_IN_FLIGHT_CONFIG)).isEqualTo(40);
        assertThat(w.getString(CommonConfigs.SHADOW_TOPIC_CONFIG)).isEqualTo("x-pabee-shadow");
        assertThat(w.originals()).doesNotContainKey(RouterConfig.BATCH_RECORDS_CONFIG);
        // the settings without further ones are unchanged
        assertThat(LocalPipeline.routerConfig(settings, "x-").getBoolean(CommonConfigs.ADAPTIVE_CONFIG)).isFalse();
    }

    @Test
    void shouldRejectASettingNoRoleDefines() {
        assertThatThrownBy(() -> settings.with(Map.of("pabee.no.such.key", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pabee.no.such.key");
    }

    @Test
    void shouldLayExtraRouterSettingsOverTheseAndShareThePoolsGroup() {
        RouterConfig cfg = LocalPipeline.routerConfig(settings, "x-", io.pabee.stage.BatchOrder.LENGTH, java.util.Map.of(
                RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, true, RouterConfig.ROUTER_LAYERS_MAX_CONFIG, 8,
                RouterConfig.WORKER_GROUP_CONFIG, "x-workers"));
        assertThat(cfg.adaptiveRouterLayers()).isTrue();
        assertThat(cfg.routerLayers().current()).isEqualTo(3);
        assertThat(cfg.routerLayers().max()).isEqualTo(8);
        assertThat(LocalPipeline.workerConfig(cfg, settings, cfg.getString(RouterConfig.WORKER_GROUP_CONFIG))
                .getString(WorkerConfig.GROUP_CONFIG)).isEqualTo("x-workers");
    }
}
