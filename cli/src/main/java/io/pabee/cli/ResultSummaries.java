package io.pabee.cli;

import io.pabee.bench.ExitSummary;
import io.pabee.schema.Classification;
import io.pabee.schema.ExitSite;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Results read back from the results topic, summarised for demo and benchmark reports. */
final class ResultSummaries {
    private ResultSummaries() {
    }

    /** Summarises {@code results}; a result is checked against its item's label when that is known (>= 0). */
    static ExitSummary of(Collection<Classification> results, Map<String, TextEvents.Item> items, int layers) {
        List<ExitSummary.Exit> exits = new ArrayList<>(results.size());
        for (Classification c : results) {
            TextEvents.Item it = items.get(c.getId());
            Boolean correct = it == null || it.label() < 0 ? null : c.getLabelIndex() == it.label();
            exits.add(new ExitSummary.Exit(c.getExitLayer(), c.getLatencyMs(), c.getExitedAt() == ExitSite.ROUTER, correct));
        }
        return ExitSummary.of(exits, layers);
    }
}
