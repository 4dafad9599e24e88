package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.config.CommonConfigs;
import io.pabee.patience.PatiencePolicy;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import io.pabee.schema.LayerState;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.FakeLayerModel;
import io.pabee.stage.InFlight;
import io.pabee.wire.ContinuationCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow sampling at the router (pure-Java model, 6 layers, patience 2): a sampled record that exits
 * before the last layer is a result and also a shadow continuation from its exit layer on; a record
 * that exits at the last layer, or one not sampled, has none; a record that continues is no shadow.
 */
class RouterShadowTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    @TempDir
    Path stateDir;
    private final FakeLayerModel model = new FakeLayerModel(6);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private RouterDriver d;

    private void open(int routerLayers, double sample) {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, routerLayers);
        p.put(RouterConfig.PATIENCE_CONFIG, 2);
        p.put(RouterConfig.BATCH_RECORDS_CONFIG, 4);
        p.put(RouterConfig.HIDDEN_ENCODING_CONFIG, "fp32");
        p.put(CommonConfigs.SHADOW_SAMPLE_CONFIG, sample);
        d = new RouterDriver(new RouterConfig(p), model, metrics, Clock.fixed(START, ZoneOffset.UTC), "router-shadow",
                stateDir, START);
    }

    @AfterEach
    void close() {
        if (d != null) {
            d.driver.close();
        }
    }

    private void send(String id, String text) {
        TextEvent e = TextEvent.newBuilder().setId(id).setText(text).setTextPair(null).setPatience(null)
                .setEventTime(START.toEpochMilli() - 100).setMetadata(Map.of("source", "test")).build();
        d.input.pipeInput(id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(e), START);
    }

    private void sendFour() {
        send("steady-1", "a fine film");      // patient after layer 3
        send("steady-2", "a fine film too");
        send("flip-1", "flip never patient"); // runs to the last layer
        send("flip-2", "flip again and again");
    }

    @Test
    void shouldSendASampledEarlyExitOnAsAShadowContinuationFromItsExitLayer() {
        open(3, 1.0);
        sendFour();
        Map<String, Classification> results = new HashMap<>();
        d.results.readKeyValuesToList().forEach(kv -> results.put(kv.key, kv.value));
        List<KeyValue<String, LayerState>> conts = d.continuations.readKeyValuesToList();
        assertThat(results).containsOnlyKeys("steady-1", "steady-2");
        List<LayerState> shadows = conts.stream().map(kv -> kv.value).filter(s -> s.getShadow() != null).toList();
        List<LayerState> plain = conts.stream().map(kv -> kv.value).filter(s -> s.getShadow() == null).toList();
        assertThat(plain).extracting(LayerState::getId).containsExactlyInAnyOrder("flip-1", "flip-2");
        assertThat(shadows).extracting(LayerState::getId).containsExactlyInAnyOrder("steady-1", "steady-2");
        for (KeyValue<String, LayerState> kv : conts) {
            assertThat(kv.key).as("keyed by id").isEqualTo(kv.value.getId());
        }
        LayerState s = shadows.get(0);
        Classification early = results.get(s.getId());
        assertThat(s.getNextLayer()).isEqualTo(early.getExitLayer() + 1).isEqualTo(4);
        assertThat(s.getPatience()).isZero();
        assertThat(s.getMetadata()).containsEntry("source", "test");
        assertThat(s.getShadow().getEarlyLabel()).isEqualTo(early.getLabelIndex());
        assertThat(s.getShadow().getEarlyExitLayer()).isEqualTo(3);
        assertThat(s.getShadow().getEarlySite()).isEqualTo(ExitSite.ROUTER);
        assertThat(s.getShadow().getPatienceUsed()).isEqualTo(2);
        // resumes where the record exited, at full depth (the fake model checks the depth of every hidden state)
        InFlight r = ContinuationCodec.reader(model).read(s, s);
        assertThat(r.layersDone).isEqualTo(3);
        assertThat(((PatiencePolicy) r.policy).patience()).isZero();
        model.layer(4, List.of(r.hidden), new int[] {r.length});
        assertThat(metrics.find("pabee_shadow_continuations_total").tag("site", "router").counter().count()).isEqualTo(2.0);
    }

    @Test
    void shouldSendNoShadowForALastLayerExit() {
        open(6, 1.0); // the router runs every layer: flip records exit at layer 6
        sendFour();
        assertThat(d.results.readKeyValuesToList()).extracting(kv -> kv.key)
                .containsExactlyInAnyOrder("steady-1", "steady-2", "flip-1", "flip-2");
        List<LayerState> conts = d.continuations.readValuesToList();
        assertThat(conts).allMatch(s -> s.getShadow() != null)
                .extracting(LayerState::getId).containsExactlyInAnyOrder("steady-1", "steady-2");
    }

    @Test
    void shouldSendNoShadowWhenSamplingIsOff() {
        open(3, 0.0);
        sendFour();
        assertThat(d.results.readKeyValuesToList()).hasSize(2);
        assertThat(d.continuations.readValuesToList()).allMatch(s -> s.getShadow() == null).hasSize(2);
    }
}
