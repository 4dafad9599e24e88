package io.pabee.wire;

import io.pabee.patience.Prediction;
import io.pabee.schema.LayerState;
import io.pabee.schema.ShadowOf;
import io.pabee.schema.ShadowResult;
import io.pabee.stage.InFlight;
import io.pabee.stage.LayerModel;

/** Builds the {@code ShadowResult} of a finished shadow run: the early answer next to the last layer's. */
public final class ShadowResults {
    private final int numLayers;
    private final String modelVersion;

    public ShadowResults(LayerModel model) {
        this.numLayers = model.numLayers();
        this.modelVersion = model.modelVersion();
    }

    /** The result of shadow continuation {@code s}, resumed as {@code r} and now run to the last layer; {@code now} is when. */
    public ShadowResult build(LayerState s, InFlight r, long now) {
        ShadowOf early = s.getShadow();
        if (early == null) {
            throw new IllegalArgumentException("continuation " + s.getId() + " is no shadow run");
        }
        Prediction full = r.policy.predict(r.state, r.last);
        Float fullScore = Float.isNaN(full.score()) ? null : full.score();
        return ShadowResult.newBuilder()
                .setId(s.getId())
                .setEarlyLabel(early.getEarlyLabel())
                .setEarlyScore(early.getEarlyScore())
                .setFullLabel(full.label())
                .setFullScore(fullScore)
                .setAgree(agree(early.getEarlyLabel(), early.getEarlyScore(), full.label(), fullScore, s.getThreshold()))
                .setEarlyExitLayer(early.getEarlyExitLayer())
                .setEarlySite(early.getEarlySite())
                .setPatienceUsed(early.getPatienceUsed())
                .setLoweredReason(early.getLoweredReason())
                .setNumLayers(numLayers)
                .setModelVersion(modelVersion)
                .setEventTime(s.getEventTime())
                .setTime(now)
                .build();
    }

    /**
     * Whether the early answer agrees with the full-depth one: equal labels, or for regression (label -1,
     * scores set) scores closer than {@code threshold}, the record's patience threshold: the same test
     * PABEE uses for "unchanged" between layers.
     */
    public static boolean agree(int earlyLabel, Float earlyScore, int fullLabel, Float fullScore, float threshold) {
        if (earlyLabel >= 0 || fullLabel >= 0) {
            return earlyLabel == fullLabel;
        }
        return earlyScore != null && fullScore != null && Math.abs(earlyScore - fullScore) < threshold;
    }
}
