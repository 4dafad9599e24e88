package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PatiencePlanTest {
    @Test
    void shouldMixTheTwoNeighbouringPatiencesInTheShareTheLevelSays() {
        PatiencePlan plan = PatiencePlan.at(3.3);
        int n = 100_000;
        int up = 0;
        for (int i = 0; i < n; i++) {
            int cap = plan.capFor("id-" + i);
            assertThat(cap).isIn(3, 4);
            if (cap == 4) {
                up++;
            }
        }
        assertThat(up / (double) n).isCloseTo(0.3, within(0.01));
        assertThat(plan.capFor("id-7")).isEqualTo(plan.capFor("id-7"));
        assertThat(PatiencePlan.at(3).capFor("x")).isEqualTo(3);
    }

    @Test
    void shouldLowerOnlyRecordsThatAskedForMoreThanTheCap() {
        PatiencePlan plan = PatiencePlan.at(3);
        assertThat(plan.apply("a", 2)).isEqualTo(new PatiencePlan.Choice(2, null));
        assertThat(plan.apply("a", 3)).isEqualTo(new PatiencePlan.Choice(3, null));
        assertThat(plan.apply("a", 6)).isEqualTo(new PatiencePlan.Choice(3, LoweredReason.LOAD));
        assertThat(plan.apply("a", 0)).as("full depth is the highest patience").isEqualTo(new PatiencePlan.Choice(3, LoweredReason.LOAD));
        assertThat(PatiencePlan.UNLOWERED.apply("a", 0)).isEqualTo(new PatiencePlan.Choice(0, null));
        assertThat(PatiencePlan.UNLOWERED.apply("a", 9)).isEqualTo(new PatiencePlan.Choice(9, null));
    }
}
