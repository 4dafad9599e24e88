package io.pabee.patience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitPoliciesTest {

    private static List<String> settings(List<ExitPolicy> policies) {
        return policies.stream().map(ExitPolicy::setting).toList();
    }

    @Test
    void shouldParsePatienceList() {
        List<ExitPolicy> policies = ExitPolicies.parseList("patience", "1,2,3", null);

        assertThat(policies).allSatisfy(p -> assertThat(p).isInstanceOf(PatiencePolicy.class));
        assertThat(settings(policies)).containsExactly("patience=1", "patience=2", "patience=3");
    }

    @Test
    void shouldPassRegressionThresholdToPatience() {
        PatiencePolicy p = (PatiencePolicy) ExitPolicies.parseList("patience", "2", 0.25f).get(0);

        assertThat(p.patience()).isEqualTo(2);
        assertThat(p.threshold()).isEqualTo(0.25f);
    }

    @Test
    void shouldParseEntropyThresholdsWithSpaces() {
        List<ExitPolicy> policies = ExitPolicies.parseList("entropy", " 0.1, 0.3 ", null);

        assertThat(policies).hasOnlyElementsOfType(EntropyPolicy.class);
        assertThat(settings(policies)).containsExactly("entropy<0.1", "entropy<0.3");
    }

    @Test
    void shouldParseFixedDepths() {
        assertThat(settings(ExitPolicies.parseList("fixed", "2,4,6", null))).containsExactly("k=2", "k=4", "k=6");
    }

    @Test
    void shouldParseConfidenceThreshold() {
        ExitPolicy p = ExitPolicies.parse("confidence", "0.9");

        assertThat(p).isInstanceOf(ConfidencePolicy.class);
        assertThat(((ConfidencePolicy) p).threshold()).isEqualTo(0.9f);
    }

    @Test
    void shouldParseVoteWithoutSettings() {
        List<ExitPolicy> policies = ExitPolicies.parseList("vote", null, null);

        assertThat(policies).hasSize(1);
        assertThat(policies.get(0)).isInstanceOf(VotePolicy.class);
    }

    @Test
    void shouldIgnoreCaseAndSpacesInPolicyName() {
        assertThat(ExitPolicies.parse(" Patience ", "3").setting()).isEqualTo("patience=3");
    }

    @Test
    void shouldNameValidChoicesForUnknownPolicy() {
        assertThatThrownBy(() -> ExitPolicies.parseList("pabee", "1", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown policy 'pabee'; valid policies: patience, fixed, entropy, confidence, vote");
    }

    @Test
    void shouldRejectNonIntegerPatience() {
        assertThatThrownBy(() -> ExitPolicies.parseList("patience", "1,x", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("patience setting 'x' is not an integer, e.g. --patience 1,2,3");
    }

    @Test
    void shouldRejectUnparsableThreshold() {
        assertThatThrownBy(() -> ExitPolicies.parse("entropy", "0.3.1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("entropy setting '0.3.1' is not a number, e.g. --thresholds 0.1,0.3");
    }

    @Test
    void shouldRejectEmptyListItem() {
        assertThatThrownBy(() -> ExitPolicies.parseList("fixed", "2,,4", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty item").hasMessageContaining("--k 2,4,6");
    }

    @Test
    void shouldRejectMissingSetting() {
        assertThatThrownBy(() -> ExitPolicies.parseList("fixed", " ", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy 'fixed' needs a setting, e.g. --k 2,4,6");
    }

    @Test
    void shouldRejectSettingForVote() {
        assertThatThrownBy(() -> ExitPolicies.parseList("vote", "3", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes no setting");
    }

    @Test
    void shouldRejectRegressionThresholdForOtherPolicies() {
        assertThatThrownBy(() -> ExitPolicies.parseList("entropy", "0.3", 0.1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only applies to the patience policy");
    }

    @Test
    void shouldPassOnRangeErrorsFromPolicies() {
        assertThatThrownBy(() -> ExitPolicies.parseList("patience", "-1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("patience must be >= 0, got -1");
    }
}
