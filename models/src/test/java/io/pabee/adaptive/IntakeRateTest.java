package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IntakeRateTest {
    @Test
    void shouldTakeTheRateOverWholeCyclesAfterTheSettlingOnes() {
        IntakeRate r = new IntakeRate();
        // a step at t = 0; the first cycles after it run slowly (the old K's work drains), then 100 records/s
        long t = 0;
        long count = 0;
        r.add(t, count);
        for (int i = 0; i < 3; i++) {
            t += 2000;
            count += 100; // 50 records/s
            r.add(t, count);
            r.add(t + 10, count); // an unchanged sample is not a change
        }
        for (int i = 0; i < 4; i++) {
            t += 1000;
            count += 100;
            r.add(t, count);
        }
        assertThat(r.since(-1, 1, 3)).as("from the end of the first cycle: 600 records in 8 s").isCloseTo(75.0, within(1e-9));
        assertThat(r.since(-1, 4, 3)).as("settled: the last three cycles").isCloseTo(100.0, within(1e-9));
        assertThat(r.since(-1, 6, 3)).as("too few cycles left").isNaN();
        assertThat(r.since(-1, 3)).isEqualTo(r.since(-1, 1, 3));
    }
}
