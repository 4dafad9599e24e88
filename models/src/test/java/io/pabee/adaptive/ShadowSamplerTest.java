package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sampler picks its rate's share of ids, the same ids every time, and none or all at the ends. */
class ShadowSamplerTest {
    private static final int N = 100_000;

    private static int sampled(ShadowSampler s, String prefix) {
        int n = 0;
        for (int i = 0; i < N; i++) {
            if (s.sampled(prefix + i)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldSampleItsRateOfIdsWithinSamplingError() {
        for (double rate : new double[] {0.01, 0.1, 0.5}) {
            // 5 standard deviations of a binomial(N, rate): a fair sampler is outside it about once in 3 million runs
            double tolerance = 5 * Math.sqrt(N * rate * (1 - rate));
            assertThat((double) sampled(new ShadowSampler(rate), "id-")).as("rate %s", rate)
                    .isCloseTo(N * rate, org.assertj.core.data.Offset.offset(tolerance));
            assertThat((double) sampled(new ShadowSampler(rate), "dev-sst2-")).as("rate %s, other ids", rate)
                    .isCloseTo(N * rate, org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameIdEverywhere() {
        ShadowSampler a = new ShadowSampler(0.2);
        ShadowSampler b = new ShadowSampler(0.2);
        for (int i = 0; i < 10_000; i++) {
            String id = "rec-" + i;
            assertThat(b.sampled(id)).isEqualTo(a.sampled(id)).isEqualTo(a.sampled(id));
        }
        // a higher rate keeps every id a lower rate picked (the threshold only moves up)
        ShadowSampler more = new ShadowSampler(0.5);
        for (int i = 0; i < 10_000; i++) {
            if (a.sampled("rec-" + i)) {
                assertThat(more.sampled("rec-" + i)).isTrue();
            }
        }
    }

    @Test
    void shouldSampleNothingAtZeroAndEverythingAtOne() {
        assertThat(sampled(new ShadowSampler(0.0), "id-")).isZero();
        assertThat(sampled(new ShadowSampler(1.0), "id-")).isEqualTo(N);
        assertThat(new ShadowSampler(1.0).sampled(null)).isFalse();
        assertThatThrownBy(() -> new ShadowSampler(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShadowSampler(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
