package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BudgetPlannerTest {
    private final BudgetPlanner planner = new BudgetPlanner(12, 1, PatienceControllerTest.profile());

    @Test
    void shouldKeepTheRequestedPatienceWhenItFitsTheBudget() {
        // patience 4 runs 6.03 layers on average: 60.3 ms at 10 ms a layer
        assertThat(planner.choose(4, 100, 10)).isEqualTo(4);
        assertThat(planner.choose(4, 60.31, 10)).isEqualTo(4);
        assertThat(planner.choose(0, 120, 10)).isEqualTo(0);
    }

    @Test
    void shouldPickTheHighestPatienceThatFitsAndTheLowestWhenNoneDoes() {
        assertThat(planner.choose(6, 50, 10)).isEqualTo(3); // 48.6 ms fits, 60.3 does not
        assertThat(planner.choose(0, 100, 10)).isEqualTo(8); // 99 ms
        assertThat(planner.choose(6, 10, 10)).isEqualTo(1); // nothing fits: the floor
        assertThat(planner.choose(6, -500, 10)).isEqualTo(1); // already late
        assertThat(new BudgetPlanner(12, 2, null).choose(6, -1, 10)).isEqualTo(2);
    }

    @Test
    void shouldKeepTheRequestBeforeTheTimePerLayerIsMeasured() {
        assertThat(planner.choose(6, 1, Double.NaN)).isEqualTo(6);
    }

    @Test
    void shouldAssumeTheFewestLayersAPatienceCanRunWithoutAProfile() {
        BudgetPlanner p = new BudgetPlanner(12, 1, null);
        assertThat(p.expectedLayers(3)).isEqualTo(4);
        assertThat(p.expectedLayers(0)).isEqualTo(12);
        assertThat(p.choose(6, 45, 10)).isEqualTo(3);
    }

    @Test
    void shouldSayBudgetWhenTheBudgetLowersAndLoadWhenThePlanDoes() {
        AdaptivePatience a = AdaptivePatience.fixed("router", 4, 12, new SimpleMeterRegistry());
        a.batchDone(10, 0, 100_000_000L, 10); // 10 ms per layer
        assertThat(a.choose("x", 4, null, 0, 0)).isEqualTo(new PatiencePlan.Choice(4, null));
        assertThat(a.choose("x", 4, 1000L, 0, 0)).isEqualTo(new PatiencePlan.Choice(4, null));
        // 40 ms left: patience 2 (35.9 ms) without a profile? fixed() has none: p + 1 layers, so patience 3 (40 ms)
        assertThat(a.choose("x", 4, 100L, 1000, 1060)).isEqualTo(new PatiencePlan.Choice(3, LoweredReason.BUDGET));
    }
}
