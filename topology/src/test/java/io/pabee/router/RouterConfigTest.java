package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.adaptive.RouterLayers;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The adaptive-K settings: validated bounds, and the K holder and loaded depth they give. */
class RouterConfigTest {

    @Test
    void shouldKeepAFixedKByDefault() {
        RouterConfig cfg = new RouterConfig(Map.of(RouterConfig.ROUTER_LAYERS_CONFIG, 5));
        RouterLayers k = cfg.routerLayers();
        assertThat(cfg.adaptiveRouterLayers()).isFalse();
        assertThat(k.current()).isEqualTo(5);
        assertThat(k.min()).isEqualTo(5);
        assertThat(k.max()).isEqualTo(5);
        assertThat(cfg.maxRouterLayers()).isEqualTo(5);
        assertThat(cfg.getString(RouterConfig.WORKER_GROUP_CONFIG)).isEqualTo("pabee-workers");
    }

    @Test
    void shouldStartAtKWithinTheBoundsWhenAdaptive() {
        RouterConfig cfg = new RouterConfig(Map.of(RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, true,
                RouterConfig.ROUTER_LAYERS_CONFIG, 6, RouterConfig.ROUTER_LAYERS_MIN_CONFIG, 2, RouterConfig.ROUTER_LAYERS_MAX_CONFIG, 10));
        RouterLayers k = cfg.routerLayers();
        assertThat(k.current()).isEqualTo(6);
        assertThat(k.min()).isEqualTo(2);
        assertThat(k.max()).isEqualTo(10);
        // the router loads the stages of the deepest K it may run
        assertThat(cfg.maxRouterLayers()).isEqualTo(10);
    }

    @Test
    void shouldRefuseAStartingKOutsideTheBoundsWhenAdaptive() {
        assertThatThrownBy(() -> new RouterConfig(Map.of(RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, true,
                RouterConfig.ROUTER_LAYERS_CONFIG, 6, RouterConfig.ROUTER_LAYERS_MAX_CONFIG, 4)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pabee.router.layers.min <= pabee.router.layers <= "
                        + "pabee.router.layers.max").hasMessageContaining("0 <= 6 <= 4");
        assertThatThrownBy(() -> new RouterConfig(Map.of(RouterConfig.ADAPTIVE_ROUTER_LAYERS_CONFIG, "true",
                RouterConfig.ROUTER_LAYERS_CONFIG, 1, RouterConfig.ROUTER_LAYERS_MIN_CONFIG, 2)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("2 <= 1 <= 12");
        assertThatThrownBy(() -> new RouterConfig(Map.of(RouterConfig.ROUTER_LAYERS_MIN_CONFIG, -1)))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldIgnoreTheBoundsWhenNotAdaptive() {
        RouterConfig cfg = new RouterConfig(Map.of(RouterConfig.ROUTER_LAYERS_CONFIG, 6, RouterConfig.ROUTER_LAYERS_MAX_CONFIG, 4));
        assertThat(cfg.routerLayers().current()).isEqualTo(6);
    }
}
