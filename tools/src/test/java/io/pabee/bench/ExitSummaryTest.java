package io.pabee.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitSummaryTest {

    @Test
    void shouldSummariseExitsLatencyAndAccuracy() {
        ExitSummary s = ExitSummary.of(List.of(
                new ExitSummary.Exit(2, 10, true, true),
                new ExitSummary.Exit(2, 30, true, false),
                new ExitSummary.Exit(4, 20, false, true),
                new ExitSummary.Exit(4, 40, false, null)), 4);
        assertThat(s.results()).isEqualTo(4);
        assertThat(s.meanExitLayer()).isEqualTo(3.0);
        assertThat(s.speedup()).isEqualTo(4 / 3.0);
        assertThat(s.histogram()).containsExactly(0, 2, 0, 2);
        assertThat(s.exitedAtRouter()).isEqualTo(2);
        assertThat(s.latencyP50Ms()).isEqualTo(20);
        assertThat(s.latencyP99Ms()).isEqualTo(40);
        assertThat(s.labeled()).isEqualTo(3);
        assertThat(s.correct()).isEqualTo(2);
        assertThat(s.accuracy()).isEqualTo(2 / 3.0);
    }

    @Test
    void shouldReportNothingForNoResults() {
        ExitSummary s = ExitSummary.of(List.of(), 12);
        assertThat(s.speedup()).isZero();
        assertThat(s.histogram()).hasSize(12).containsOnly(0L);
        assertThat(s.accuracy()).isNaN();
    }
}
