package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pabee.evaluate.PolicyReplay;
import io.pabee.features.TaskData;
import io.pabee.glue.GlueTask;
import io.pabee.glue.Split;
import io.pabee.heads.HeadSet;
import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.patience.HeadOutput;
import io.pabee.patience.PatiencePolicy;
import io.pabee.prepare.BaseModel;
import io.pabee.tokenize.TextTokenizer;
import io.pabee.tokenize.Tokens;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dynamic re-batching (records leave after every layer, others join at the same depth) must give
 * every record the exit layer and label it gets when run alone at batch size 1 (SST-2 dev).
 */
class DynamicRebatchingTest {
    private static ModelDirectory dir;
    private static StagedEncoder encoder;
    private static HeadSet heads;
    private static List<Tokens> tokens;

    @BeforeAll
    static void load() {
        assertTrue(Files.isDirectory(TestModels.glueDir().resolve("SST-2")), "GLUE data not found at " + TestModels.glueDir()
                + " (GLUE data is required: set GLUE_DIR or -Dglue.dir; a missing data set fails, never skips)");
        dir = TestModels.prepared(BaseModel.BGE_SMALL_EN_V15);
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

    private static EarlyExitRunner.Stats lastStats;

    private static List<InFlight> run(List<Tokens> records, ExitPolicy policy, int batchSize, boolean trace) {
        InFlight[] done = new InFlight[records.size()];
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            InFlight r = new InFlight(i, records.get(i).length(), null, 0, policy, new ExitState());
            fresh.add(new EarlyExitRunner.Fresh(records.get(i), trace ? r.traced() : r));
        }
        EarlyExitRunner.Stats stats = new EarlyExitRunner(encoder, heads::apply, batchSize).runAll(fresh,
                encoder.numLayers(), r -> done[(Integer) r.key] = r, r -> {
                    throw new AssertionError("record " + r.key + " passed the last layer without exiting");
                });
        assertThat(stats.layerCalls).isPositive();
        lastStats = stats;
        return List.of(done);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 6})
    void shouldExitAtTheSameLayerWithTheSameLabelAsBatchSizeOne(int patience) {
        PatiencePolicy policy = new PatiencePolicy(patience);
        List<InFlight> batched = run(tokens, policy, 32, false);
        double meanBatch = lastStats.meanBatch();
        List<InFlight> alone = run(tokens, policy, 1, false);
        int early = 0;
        for (int i = 0; i < tokens.size(); i++) {
            InFlight a = batched.get(i);
            InFlight b = alone.get(i);
            assertThat(a.layersDone).as("exit layer of record %d", i).isEqualTo(b.layersDone);
            assertThat(a.policy.predict(a.state, a.last).label()).as("label of record %d", i)
                    .isEqualTo(b.policy.predict(b.state, b.last).label());
            if (a.layersDone < encoder.numLayers()) {
                early++;
            }
        }
        // the comparison is only meaningful if records really left the batch at different depths
        assertThat(early).isGreaterThan(tokens.size() / 4);
        // and batches were refilled: the mean batch stays near 32 although a quarter or more of the records left
        // early, well above what fixed batches that only shrink would give (computed from the same exit layers)
        double shrinking = shrinkingMeanBatch(alone, 32);
        System.out.printf("patience %d: mean batch %.1f refilled, %.1f if batches only shrank%n", patience, meanBatch, shrinking);
        assertThat(meanBatch).isGreaterThan(0.9 * 32).isGreaterThan(shrinking + 2);
    }

    /** Mean records per layer call if each batch of {@code size} ran to the end without taking new records. */
    private static double shrinkingMeanBatch(List<InFlight> exits, int size) {
        long calls = 0;
        long records = 0;
        for (int from = 0; from < exits.size(); from += size) {
            List<InFlight> batch = exits.subList(from, Math.min(exits.size(), from + size));
            for (int layer = 1; layer <= encoder.numLayers(); layer++) {
                final int l = layer;
                long alive = batch.stream().filter(r -> r.layersDone >= l).count();
                if (alive > 0) {
                    calls++;
                    records += alive;
                }
            }
        }
        return (double) records / calls;
    }

    @Test
    void shouldMatchTheReplayOfEveryLayersHeadOutput() {
        // evaluate replays policies over per-layer head outputs; the runtime must agree with that replay
        List<InFlight> full = run(tokens, new PatiencePolicy(0), 32, true);
        HeadOutput[][] outputs = new HeadOutput[tokens.size()][];
        for (int i = 0; i < tokens.size(); i++) {
            outputs[i] = full.get(i).trace.toArray(HeadOutput[]::new);
            assertThat(outputs[i]).hasSize(encoder.numLayers());
        }
        PatiencePolicy policy = new PatiencePolicy(3);
        PolicyReplay.Outcome replay = PolicyReplay.replay(outputs, policy);
        List<InFlight> runtime = run(tokens, policy, 32, false);
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(runtime.get(i).layersDone).isEqualTo(replay.exitLayer()[i]);
            assertThat(runtime.get(i).last.argmax()).isEqualTo(replay.labels()[i]);
        }
    }

    @Test
    void shouldResumeFromAnExportedHiddenStateWithTheSameResult() {
        // what the router/worker split does: stop after layer 4, ship hidden state + exit state, continue elsewhere
        List<Tokens> some = tokens.subList(0, 64);
        PatiencePolicy policy = new PatiencePolicy(6);
        List<InFlight> direct = run(some, policy, 16, false);
        List<InFlight> unfinished = new ArrayList<>();
        List<InFlight> exited = new ArrayList<>();
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        for (int i = 0; i < some.size(); i++) {
            fresh.add(new EarlyExitRunner.Fresh(some.get(i), new InFlight(i, some.get(i).length(), null, 0, policy,
                    new ExitState())));
        }
        new EarlyExitRunner(encoder, heads::apply, 16).runAll(fresh, 4, exited::add, unfinished::add);
        assertThat(unfinished).isNotEmpty();
        List<InFlight> resumed = new ArrayList<>();
        for (InFlight r : unfinished) {
            ExitState s = ExitState.resume(r.state.layersSeen, r.state.counter, r.state.previousLabel, r.state.previousScore);
            resumed.add(new InFlight(r.key, r.length, r.hidden.clone(), r.layersDone, policy, s));
        }
        new EarlyExitRunner(encoder, heads::apply, 8).run(java.util.Collections.emptyIterator(), resumed,
                encoder.numLayers(), exited::add, r -> {
                    throw new AssertionError("unfinished after the last layer");
                });
        assertThat(exited).hasSize(some.size());
        for (InFlight r : exited) {
            InFlight d = direct.get((Integer) r.key);
            assertThat(r.layersDone).isEqualTo(d.layersDone);
            assertThat(r.last.argmax()).isEqualTo(d.last.argmax());
        }
    }
}
