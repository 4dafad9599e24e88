package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.router.RouterConfig;
import io.pabee.worker.WorkerConfig;
import java.nio.file.Path;
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
