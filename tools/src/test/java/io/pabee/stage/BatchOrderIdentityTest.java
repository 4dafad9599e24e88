package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.BaseModel;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Length-aware batching changes which records share a stage call, never a decision: every SST-2 dev
 * record exits at the same layer with the same label in length order as in arrival order, both for a
 * whole list (the in-process runner) and for the router's micro-batches of 128 through K = 6 layers
 * with the continuations resumed to the end in polls of 256 (the worker's shape).
 */
class BatchOrderIdentityTest {
    private static final int BATCH = 32;
    private static StagedEncoder encoder;
    private static HeadSet heads;
    private static List<Tokens> tokens;

    @BeforeAll
    static void load() {
        assertTrue(Files.isDirectory(TestModels.glueDir().resolve("SST-2")), "GLUE data not found at " + TestModels.glueDir()
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        ModelDirectory dir = TestModels.prepared(BaseModel.BGE_SMALL_EN_V15);
        heads = HeadSet.read(dir.heads("SST-2"));
        try (TextTokenizer tok = new TextTokenizer(dir.tokenizer(), 128)) {
            tokens = TaskData.load(TestModels.glueDir(), GlueTask.SST_2, Split.DEV, tok).tokens;
        }
        encoder = new StagedEncoder(dir, StagedEncoder.Options.cpu());
    }

    @AfterAll
    static void close() {
        if (encoder != null) {
            encoder.close();
        }
    }

    /** One order's outcome: every record by index, the padding efficiency of its stage calls and of the router's alone. */
    private record Outcome(InFlight[] records, double efficiency, double router) {
    }

    private static List<EarlyExitRunner.Fresh> fresh(int from, int to, int patience) {
        List<EarlyExitRunner.Fresh> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new EarlyExitRunner.Fresh(tokens.get(i), new InFlight(i, tokens.get(i).length(), null, 0,
                    new PatiencePolicy(patience), new ExitState())));
        }
        return out;
    }

    private static Outcome whole(BatchOrder order, int patience) {
        InFlight[] done = new InFlight[tokens.size()];
        EarlyExitRunner.Stats s = new EarlyExitRunner(encoder, heads::apply, BATCH, order).runAll(fresh(0, tokens.size(), patience),
                encoder.numLayers(), r -> done[(Integer) r.key] = r, r -> {
                    throw new AssertionError("record " + r.key + " passed the last layer without exiting");
                });
        return new Outcome(done, s.paddingEfficiency(), Double.NaN);
    }

    /** The router's shape: micro-batches of 128 through K layers; then the continuations resumed together to the end. */
    private static Outcome streamed(BatchOrder order, int patience, int k) {
        InFlight[] done = new InFlight[tokens.size()];
        EarlyExitRunner runner = new EarlyExitRunner(encoder, heads::apply, BATCH, order);
        long[] real = new long[encoder.numLayers() + 1];
        long[] computed = new long[encoder.numLayers() + 1];
        List<InFlight> continued = new ArrayList<>();
        for (int from = 0; from < tokens.size(); from += 128) {
            EarlyExitRunner.Stats s = runner.runAll(fresh(from, Math.min(tokens.size(), from + 128), patience), k,
                    r -> done[(Integer) r.key] = r, continued::add);
            for (int l = 0; l < real.length; l++) {
                real[l] += s.realTokens[l];
                computed[l] += s.computedTokens[l];
            }
        }
        double router = EarlyExitRunner.Stats.efficiency(real, computed);
        // a worker's poll holds up to 256 continuations (pabee.worker.max.in.flight)
        for (int from = 0; from < continued.size(); from += 256) {
            EarlyExitRunner.Stats s = runner.run(java.util.Collections.emptyIterator(),
                    continued.subList(from, Math.min(continued.size(), from + 256)), encoder.numLayers(),
                    r -> done[(Integer) r.key] = r, r -> {
                        throw new AssertionError("record " + r.key + " passed the last layer without exiting");
                    });
            for (int l = 0; l < real.length; l++) {
                real[l] += s.realTokens[l];
                computed[l] += s.computedTokens[l];
            }
        }
        return new Outcome(done, EarlyExitRunner.Stats.efficiency(real, computed), router);
    }

    private static void assertSameExits(Outcome length, Outcome arrival) {
        int differ = 0;
        for (int i = 0; i < tokens.size(); i++) {
            InFlight a = arrival.records()[i];
            InFlight b = length.records()[i];
            assertThat(b).as("record %d answered", i).isNotNull();
            if (a.layersDone != b.layersDone || a.policy.predict(a.state, a.last).label() != b.policy.predict(b.state, b.last).label()) {
                differ++;
                System.out.printf("record %d: arrival exits at %d with %d, length at %d with %d%n", i, a.layersDone,
                        a.policy.predict(a.state, a.last).label(), b.layersDone, b.policy.predict(b.state, b.last).label());
            }
        }
        assertThat(differ).as("records whose exit layer or label depends on the batch order").isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 6})
    void shouldExitEveryRecordAtTheSameLayerWithTheSameLabelInEitherOrder(int patience) {
        Outcome arrival = whole(BatchOrder.ARRIVAL, patience);
        Outcome length = whole(BatchOrder.LENGTH, patience);
        System.out.printf("patience %d, whole list: padding efficiency arrival %.3f, length %.3f%n", patience,
                arrival.efficiency(), length.efficiency());
        assertSameExits(length, arrival);
        assertThat(length.efficiency()).isGreaterThan(arrival.efficiency());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 6})
    void shouldExitEveryRecordAtTheSameLayerInTheRoutersMicroBatchesInEitherOrder(int patience) {
        Outcome arrival = streamed(BatchOrder.ARRIVAL, patience, 6);
        Outcome length = streamed(BatchOrder.LENGTH, patience, 6);
        System.out.printf("patience %d, micro-batches of 128 through K = 6, then polls of 256 resumed: padding efficiency "
                + "arrival %.3f (router %.3f), length %.3f (router %.3f)%n", patience, arrival.efficiency(), arrival.router(),
                length.efficiency(), length.router());
        assertSameExits(length, arrival);
        assertThat(length.efficiency()).isGreaterThan(arrival.efficiency());
        assertThat(length.router()).isGreaterThan(arrival.router());
    }
}
