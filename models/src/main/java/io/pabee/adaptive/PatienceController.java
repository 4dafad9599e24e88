package io.pabee.adaptive;

import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Chooses the patience level of a router or worker from its load, once per interval. When the latency
 * target is at risk (the oldest record started is older than half the target, or the backlog would take
 * longer than that to serve) it lowers the level one step per interval towards the highest level whose
 * predicted capacity serves the arrivals and drains the backlog within the target; once the backlog
 * has stayed low for {@code raiseAfterMs} it raises the level one step, if the predicted capacity there
 * still exceeds the arrivals by a margin (hysteresis), until the configured patience is back.
 *
 * <p>Capacity is predicted from the profile measured on dev: the process serves a roughly constant number
 * of record-layers per second, so capacity(level) = record-layers/s / mean layers(level). Without a profile
 * the level moves one whole patience per step on the risk signal alone. The level never goes below the
 * floor: the configured minimum patience, and the lowest level whose dev accuracy is within the allowed
 * drop of the configured patience's. While the shadow agreement of lowered records is below its floor the
 * level goes no lower and steps back up. Not thread-safe: one thread calls {@link #observe}.
 */
public final class PatienceController {
    /** At risk above this share of the target; calm below {@link #CALM}. */
    static final double RISK = 0.5;
    static final double CALM = 0.25;
    /** Capacity must exceed arrivals by this when lowering, and by {@link #RAISE_MARGIN} before raising. */
    static final double LOWER_MARGIN = 1.05;
    static final double RAISE_MARGIN = 1.15;
    /** Shadow runs needed before agreement counts. */
    static final int MIN_SHADOWS = 20;

    private final AdaptiveSettings settings;
    private final int numLayers;
    private final double top;
    private final double floor;
    private final double[] meanLayers;
    private final Supplier<AgreementReading> agreement;
    private double level;
    private double workRate = Double.NaN;
    private double arrival = Double.NaN;
    private long prevBacklog = -1;
    private long calmSince = -1;
    private long lastRaise = Long.MIN_VALUE / 2;
    private String why = "configured";
    /** After low agreement at some level, lowering stops above it until this time. */
    private double agreementFloorLevel = 0;
    private long agreementFloorUntil = Long.MIN_VALUE / 2;

    /** The shadow agreement of lowered records over a recent window, with its sample count. */
    public record AgreementReading(long count, double share) {
        public static final AgreementReading NONE = new AgreementReading(0, Double.NaN);
    }

    /**
     * A controller for {@code configuredPatience} (0 = full depth) on a model of {@code numLayers} layers;
     * {@code profile} may be null; {@code agreement} may be null (no shadow runs).
     */
    public PatienceController(AdaptiveSettings settings, int configuredPatience, int numLayers, PatienceProfile profile,
                              Supplier<AgreementReading> agreement) {
        this.settings = settings;
        this.numLayers = numLayers;
        this.top = configuredPatience == 0 ? numLayers - 1 : Math.min(configuredPatience, numLayers - 1);
        this.meanLayers = profile == null ? null : monotoneMeanLayers(profile, numLayers);
        this.floor = Math.min(top, Math.max(settings.minPatience(), accuracyFloor(profile, top, settings.maxAccuracyDrop())));
        this.agreement = agreement == null ? () -> AgreementReading.NONE : agreement;
        this.level = top;
    }

    /** Mean layers per patience 1..L-1 (L-1 = full depth), made non-decreasing; null if the profile lacks a row. */
    private static double[] monotoneMeanLayers(PatienceProfile profile, int numLayers) {
        double[] ml = new double[numLayers];
        for (int p = 1; p < numLayers; p++) {
            OptionalDouble m = profile.meanLayers(p);
            if (m.isEmpty()) {
                return null;
            }
            ml[p] = Math.max(m.getAsDouble(), ml[p - 1]);
        }
        return ml;
    }

    /** The lowest level whose interpolated dev metric is within {@code drop} of the top level's; 1 without a profile. */
    static double accuracyFloor(PatienceProfile profile, double top, double drop) {
        if (profile == null || profile.metric((int) top).isEmpty()) {
            return 1;
        }
        double want = profile.metric((int) top).getAsDouble() - drop;
        double best = top;
        for (int p = (int) top - 1; p >= 1; p--) {
            OptionalDouble m = profile.metric(p);
            OptionalDouble above = profile.metric(p + 1);
            if (m.isEmpty() || above.isEmpty()) {
                break;
            }
            if (m.getAsDouble() >= want) {
                best = p;
                continue;
            }
            // interpolate inside [p, p+1]: the mixed level reaching exactly the allowed drop
            double a = m.getAsDouble();
            double b = above.getAsDouble();
            if (b > a && b >= want) {
                best = p + (want - a) / (b - a);
            }
            break;
        }
        return best;
    }

    /** Mean layers at a (possibly fractional) level; NaN without a profile. */
    double meanLayersAt(double x) {
        if (meanLayers == null) {
            return Double.NaN;
        }
        int lo = (int) Math.floor(x);
        lo = Math.max(1, Math.min(numLayers - 1, lo));
        int hi = Math.min(numLayers - 1, lo + 1);
        double f = Math.max(0, Math.min(1, x - lo));
        return meanLayers[lo] * (1 - f) + meanLayers[hi] * f;
    }

    /** The highest level in [floor, top] whose mean layers is at most {@code ml} (floor when none is). */
    double levelFor(double ml) {
        if (meanLayersAt(top) <= ml) {
            return top;
        }
        for (int p = (int) Math.ceil(top) - 1; p >= 1; p--) {
            double at = meanLayersAt(p);
            if (at <= ml) {
                double next = meanLayersAt(Math.min(top, p + 1));
                double x = next > at ? p + (ml - at) / (next - at) : p;
                return Math.max(floor, Math.min(top, x));
            }
        }
        return floor;
    }

    /** Takes one interval's measurements and returns the plan for the next interval. */
    public PatiencePlan observe(LoadSample s) {
        double seconds = Math.max(1e-3, s.intervalMs() / 1000.0);
        double servedRate = s.served() / seconds;
        if (prevBacklog >= 0) {
            double arrived = Math.max(0, s.served() + s.backlog() - prevBacklog) / seconds;
            arrival = Double.isNaN(arrival) ? arrived : 0.5 * arrival + 0.5 * arrived;
        }
        prevBacklog = s.backlog();
        boolean saturated = s.served() > 0 && s.backlog() > s.served() / 2;
        if (saturated && meanLayers != null) {
            // only a busy interval measures capacity; an idle one serves what arrives
            double rate = servedRate * meanLayersAt(level);
            workRate = Double.isNaN(workRate) ? rate : 0.5 * workRate + 0.5 * rate;
        }
        double halfTarget = settings.sloMs() * RISK;
        double drainMs = servedRate > 0 ? 1000.0 * s.backlog() / servedRate : (s.backlog() > 0 ? Double.POSITIVE_INFINITY : 0);
        boolean atRisk = s.ageMs() > halfTarget || drainMs > halfTarget;
        boolean calm = s.ageMs() <= settings.sloMs() * CALM && drainMs <= settings.sloMs() * CALM;
        AgreementReading agree = agreement.get();
        boolean agreementLow = agree.count() >= MIN_SHADOWS && agree.share() < settings.agreementFloor();

        if (agreementLow) {
            calmSince = -1;
            agreementFloorLevel = Math.min(top, Math.floor(level) + 1);
            agreementFloorUntil = s.nowMs() + 10 * Math.max(settings.raiseAfterMs(), settings.intervalMs());
            if (level < top && s.nowMs() - lastRaise >= settings.raiseAfterMs()) {
                level = Math.min(top, Math.floor(level) + 1);
                lastRaise = s.nowMs();
                why = "agreement " + String.format("%.3f", agree.share()) + " below floor";
            }
        } else if (atRisk) {
            calmSince = -1;
            double target = floor;
            if (!Double.isNaN(workRate) && !Double.isNaN(arrival)) {
                // serve the arrivals and drain the backlog within the target
                double need = arrival * LOWER_MARGIN + s.backlog() / (settings.sloMs() / 1000.0);
                target = levelFor(workRate / Math.max(1e-9, need));
            }
            if (s.nowMs() < agreementFloorUntil) {
                target = Math.max(target, agreementFloorLevel);
            }
            if (target < level) {
                // step by step: at most one patience per interval
                level = Math.max(target, Math.max(floor, level - 1));
                why = "latency target at risk (age " + s.ageMs() + " ms, backlog " + s.backlog() + ")";
            }
        } else if (calm) {
            if (calmSince < 0) {
                calmSince = s.nowMs();
            }
            if (level < top && s.nowMs() - calmSince >= settings.raiseAfterMs()
                    && s.nowMs() - lastRaise >= settings.raiseAfterMs()) {
                double up = Math.min(top, Math.floor(level) + 1);
                if (!Double.isNaN(workRate) && !Double.isNaN(arrival) && arrival > 0) {
                    // no higher than the capacity serves with a margin: the drain term is gone, so part of a step may fit
                    up = Math.min(up, levelFor(workRate / (arrival * RAISE_MARGIN)));
                }
                if (up > level) {
                    level = up;
                    lastRaise = s.nowMs();
                    why = level >= top ? "configured" : "backlog drained";
                }
            }
        } else {
            calmSince = -1;
        }
        return plan();
    }

    /** The current plan. */
    public PatiencePlan plan() {
        return level >= top ? PatiencePlan.UNLOWERED : PatiencePlan.at(level);
    }

    /** The current level: the mean patience the plan gives records that asked for the configured one. */
    public double level() {
        return level;
    }

    /** The configured level (the configured patience; L-1 for full depth). */
    public double top() {
        return top;
    }

    /** The lowest level the controller may choose. */
    public double floor() {
        return floor;
    }

    /** Why the level is what it is, for the operator's log. */
    public String reason() {
        return why;
    }

    /** Record-layers per second measured under load; NaN before a busy interval. */
    public double workRate() {
        return workRate;
    }

    /** Arrival rate estimate in records/s; NaN before two intervals. */
    public double arrivalRate() {
        return arrival;
    }
}
