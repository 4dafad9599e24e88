package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.pabee.patience.ExitState;
import io.pabee.patience.PatiencePolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The runner's batch order: which records share a stage call, and the padding it counts. */
class LengthAwareBatchingTest {
    /** The fake model, also keeping the record lengths of every layer call. */
    static final class Recording extends FakeLayerModel {
        final List<List<Integer>> calls = Collections.synchronizedList(new ArrayList<>());

        Recording(int layers) {
            super(layers);
        }

        @Override
        public List<float[]> layer(int layer, List<float[]> hiddens, int[] lengths) {
            calls.add(IntStream.of(lengths).boxed().toList());
            return super.layer(layer, hiddens, lengths);
        }
    }

    private static String words(int n) {
        return String.join(" ", Collections.nCopies(n, "w"));
    }

    /** Runs texts of the given word counts to full depth (patience 0); returns the stats and each record's exit by key. */
    private static EarlyExitRunner.Stats runAll(FakeLayerModel m, BatchOrder order, int batch, int patience, int[] lengths,
                                                Map<Integer, InFlight> exits) {
        List<EarlyExitRunner.Fresh> fresh = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            String text = (i % 3 == 0 ? "flip " : "") + words(lengths[i]);
            var t = m.tokenize(text.trim(), null);
            fresh.add(new EarlyExitRunner.Fresh(t, new InFlight(i, t.length(), null, 0, new PatiencePolicy(patience),
                    new ExitState())));
        }
        return new EarlyExitRunner(m, batch, order).runAll(fresh, m.numLayers(), r -> {
            assertThat(exits.put((Integer) r.key, r)).as("record %s answered twice", r.key).isNull();
        }, r -> {
            throw new AssertionError("record " + r.key + " did not exit");
        });
    }

    @Test
    void shouldCountRealAndComputedTokensOfEveryStageCall() {
        // lengths alternate 1 and 8 (the "flip" word adds one to every third): arrival pads each call to the longest
        int[] lengths = {1, 8, 1, 8, 1, 8, 1, 8};
        FakeLayerModel arrivalModel = new FakeLayerModel(3);
        EarlyExitRunner.Stats arrival = runAll(arrivalModel, BatchOrder.ARRIVAL, 4, 0, lengths, new TreeMap<>());
        EarlyExitRunner.Stats length = runAll(new FakeLayerModel(3), BatchOrder.LENGTH, 4, 0, lengths, new TreeMap<>());
        // token counts: 2,8,1,9,1,8,2,8 ("flip" on records 0, 3, 6) -> 39 real per stage
        for (int stage = 0; stage <= 3; stage++) {
            assertThat(arrival.realTokens[stage]).isEqualTo(39);
            assertThat(length.realTokens[stage]).isEqualTo(39);
            // arrival: calls {2,8,1,9} and {1,8,2,8} -> 4 x 9 + 4 x 8; length: {1,1,2,2} and {8,8,8,9} -> 4 x 2 + 4 x 9
            assertThat(arrival.computedTokens[stage]).isEqualTo(68);
            assertThat(length.computedTokens[stage]).isEqualTo(44);
        }
        assertThat(arrival.paddingEfficiency()).isEqualTo(39.0 / 68);
        assertThat(length.paddingEfficiency()).isEqualTo(39.0 / 44);
    }

    @Test
    void shouldGiveEveryRecordTheSameExitInEitherOrder() {
        int[] lengths = IntStream.range(0, 50).map(i -> 1 + (i * 37) % 23).toArray();
        for (int patience : new int[] {1, 2, 3}) {
            Map<Integer, InFlight> arrival = new TreeMap<>();
            Map<Integer, InFlight> length = new TreeMap<>();
            runAll(new FakeLayerModel(6), BatchOrder.ARRIVAL, 8, patience, lengths, arrival);
            runAll(new FakeLayerModel(6), BatchOrder.LENGTH, 8, patience, lengths, length);
            assertThat(length.keySet()).isEqualTo(arrival.keySet()).hasSize(lengths.length);
            for (int k : arrival.keySet()) {
                assertThat(length.get(k).layersDone).as("exit layer of %d", k).isEqualTo(arrival.get(k).layersDone);
                assertThat(length.get(k).last.argmax()).as("label of %d", k).isEqualTo(arrival.get(k).last.argmax());
            }
            // the flip records (every third) run to the end, the others exit at patience + 1
            assertThat(length.values().stream().map(r -> r.layersDone).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(patience + 1, 6);
        }
    }

    /** Records resumed after layer 1 (as a worker gets them), with lengths in the given order. */
    private static List<List<Integer>> resume(BatchOrder order, int... lengths) {
        Recording m = new Recording(2);
        List<InFlight> resumed = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            float[] h = new float[lengths[i] * FakeLayerModel.HIDDEN];
            for (int t = 0; t < lengths[i]; t++) {
                h[t * FakeLayerModel.HIDDEN + 1] = 1f; // layer 1 done
            }
            resumed.add(new InFlight(i, lengths[i], h, 1, new PatiencePolicy(0), new ExitState()));
        }
        List<InFlight> exits = new ArrayList<>();
        new EarlyExitRunner(m, 3, order).run(Collections.emptyIterator(), resumed, 2, exits::add, r -> {
            throw new AssertionError("record " + r.key + " did not exit");
        });
        assertThat(exits).hasSize(lengths.length);
        return m.calls;
    }

    @Test
    void shouldTakeTheLongestRecordsWaitingAtADepthInLengthOrder() {
        assertThat(resume(BatchOrder.LENGTH, 2, 9, 3, 8, 1, 7)).containsExactly(List.of(9, 8, 7), List.of(3, 2, 1));
        assertThat(resume(BatchOrder.ARRIVAL, 2, 9, 3, 8, 1, 7)).containsExactly(List.of(2, 9, 3), List.of(8, 1, 7));
    }

    @Test
    void shouldParseTheSettingsNames() {
        assertThat(BatchOrder.parse("length")).isEqualTo(BatchOrder.LENGTH);
        assertThat(BatchOrder.parse(" ARRIVAL ")).isEqualTo(BatchOrder.ARRIVAL);
        assertThat(BatchOrder.LENGTH.label()).isEqualTo("length");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchOrder.parse("random"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length or arrival");
    }
}
