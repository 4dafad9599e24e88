package io.pabee.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void shouldTakeTheNearestRankPercentile() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(Stats.percentile(sorted, 0.5)).isEqualTo(5);
        assertThat(Stats.percentile(sorted, 0.99)).isEqualTo(10);
        assertThat(Stats.percentile(sorted, 0.1)).isEqualTo(1);
        assertThat(Stats.percentile(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(Stats.percentile(new long[0], 0.5)).isZero();
    }

    @Test
    void shouldTakeTheUpperMedianAndTheElementItBelongsTo() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(3.0);
        record Pass(String name, double rate) {
        }
        List<Pass> passes = List.of(new Pass("a", 90), new Pass("b", 110), new Pass("c", 100));
        assertThat(Stats.medianBy(passes, Pass::rate).name()).isEqualTo("c");
        assertThat(passes.get(0).name()).as("the input list is left as it was").isEqualTo("a");
        assertThatThrownBy(() -> Stats.medianBy(List.<Pass>of(), Pass::rate)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldComputeRatesPerSecond() {
        assertThat(Stats.perSecond(500, 2_000_000_000L)).isEqualTo(250.0);
        assertThat(Stats.rates(List.of(101.25, 99.0))).isEqualTo("[101.3, 99.0]");
    }
}
