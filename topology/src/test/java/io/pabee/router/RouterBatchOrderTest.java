package io.pabee.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pabee.glue.GlueExample;
import io.pabee.glue.GlueReader;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.schema.TextEvent;
import io.pabee.serde.AvroSerde;
import io.pabee.stage.ModelDirectory;
import io.pabee.stage.OnnxLayerModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router on the test driver with the real model: SST-2 dev at patience 4 and K = 6 gives every
 * record the same answer (result: exit layer and label; continuation: patience counter and previous
 * label) with {@code pabee.batch.order=length} as with {@code arrival}, and the padding-efficiency
 * gauge shows what the sort saved.
 */
class RouterBatchOrderTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static List<GlueExample> dev;
    private static ModelDirectory dir;
    private static OnnxLayerModel model;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void load() throws Exception {
        Path glue = GlueReader.defaultGlueDir();
        assertTrue(Files.isDirectory(glue.resolve("SST-2")), "GLUE data not found at " + glue
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        dev = GlueReader.read(glue, GlueTask.SST_2, Split.DEV);
        dir = ModelPreparer.ensurePrepared(BaseModel.BGE_SMALL_EN_V15,
                ModelDirectory.home().resolve(BaseModel.BGE_SMALL_EN_V15.id()), m -> { });
        model = RouterModel.load(config("length"));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static RouterConfig config(String order) {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.MODEL_DIR_CONFIG, dir.path().toString());
        p.put(RouterConfig.ROUTER_LAYERS_CONFIG, 6);
        p.put(RouterConfig.PATIENCE_CONFIG, 4);
        p.put(RouterConfig.BATCH_ORDER_CONFIG, order);
        return new RouterConfig(p);
    }

    /** Every id's answer as one comparable line, and the router's padding efficiency. */
    private record Answers(Map<String, String> byId, double efficiency) {
    }

    private Answers route(String order) {
        RouterConfig cfg = config(order);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Map<String, String> byId = new TreeMap<>();
        RouterDriver d = new RouterDriver(cfg, model, metrics, Clock.fixed(START, ZoneOffset.UTC), "order-" + order,
                stateDir.resolve(order), START);
        try {
            for (GlueExample e : dev) {
                TextEvent ev = TextEvent.newBuilder().setId(e.id()).setText(e.text()).setTextPair(null).setPatience(null)
                        .setEventTime(START.toEpochMilli()).setMetadata(null).build();
                d.input.pipeInput(e.id().getBytes(StandardCharsets.UTF_8), AvroSerde.of(TextEvent.class).encode(ev), START);
            }
            // the last partial micro-batch runs once the batch wait has passed
            d.driver.advanceWallClockTime(Duration.ofMillis(cfg.getLong(RouterConfig.BATCH_WAIT_CONFIG)));
            d.results.readKeyValuesToList().forEach(kv -> assertThat(byId.put(kv.key, "result layer "
                    + kv.value.getExitLayer() + " label " + kv.value.getLabelIndex())).as("%s answered twice", kv.key).isNull());
            d.continuations.readKeyValuesToList().forEach(kv -> assertThat(byId.put(kv.key, "continuation counter "
                    + kv.value.getCounter() + " previous " + kv.value.getPreviousLabel())).as("%s answered twice", kv.key).isNull());
            assertThat(d.dead.getQueueSize()).isZero();
        } finally {
            d.driver.close();
        }
        return new Answers(byId, metrics.get("pabee_router_padding_efficiency").gauge().value());
    }

    @Test
    void shouldAnswerEveryRecordAsInArrivalOrderWithLessPadding() {
        Answers arrival = route("arrival");
        Answers length = route("length");
        System.out.printf("router on the test driver, SST-2 dev, patience 4, K = 6: padding efficiency arrival %.3f, length %.3f%n",
                arrival.efficiency(), length.efficiency());
        assertThat(arrival.byId()).hasSize(dev.size());
        assertThat(length.byId()).isEqualTo(arrival.byId());
        assertThat(arrival.byId().values()).anyMatch(a -> a.startsWith("result")).anyMatch(a -> a.startsWith("continuation"));
        // real tokens / computed tokens: about half in arrival order; sorting each micro-batch of 128 by length saves most of it
        assertThat(arrival.efficiency()).isBetween(0.4, 0.65);
        assertThat(length.efficiency()).isGreaterThanOrEqualTo(0.75);
    }
}
