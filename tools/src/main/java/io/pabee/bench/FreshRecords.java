package io.pabee.bench;

import io.pabee.patience.ExitPolicy;
import io.pabee.patience.ExitState;
import io.pabee.stage.EarlyExitRunner;
import io.pabee.stage.InFlight;
import io.pabee.tokenize.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Tokenized records made ready for an in-process run from layer 0, each with its own exit state. */
public final class FreshRecords {
    private FreshRecords() {
    }

    /** Record {@code i} gets key {@code key.apply(i)}; every record runs under {@code policy} from a fresh state. */
    public static List<EarlyExitRunner.Fresh> of(List<Tokens> tokens, IntFunction<Object> key, ExitPolicy policy) {
        List<EarlyExitRunner.Fresh> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            Tokens t = tokens.get(i);
            out.add(new EarlyExitRunner.Fresh(t, new InFlight(key.apply(i), t.length(), null, 0, policy, new ExitState())));
        }
        return out;
    }
}
