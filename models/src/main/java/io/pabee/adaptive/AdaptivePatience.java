package io.pabee.adaptive;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pabee.config.CommonConfigs;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patience every record of one router or worker process gets: its own (or the default), capped by
 * the load controller's plan when adaptation is on, and lowered further when its latency budget needs
 * it. Shared by all the process's tasks or worker threads: they report each batch ({@link #batchDone})
 * and the records they hold ({@link #waiting}); a timer feeds the controller once per interval.
 */
public final class AdaptivePatience implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdaptivePatience.class);

    private final String role;
    private final AdaptiveSettings settings;
    private final PatienceController controller;
    private final BudgetPlanner budgets;
    private final MeterRegistry metrics;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong maxAge = new AtomicLong(-1);
    private volatile LongSupplier backlogOutside = () -> 0;
    private volatile Supplier<PatienceController.AgreementReading> agreement = () -> PatienceController.AgreementReading.NONE;
    private volatile PatiencePlan plan = PatiencePlan.UNLOWERED;
    private volatile double msPerLayer = Double.NaN;
    private ScheduledExecutorService timer;
    private long lastTick = -1;
    private int loggedLevel;

    /**
     * A process's adaptive patience for {@code role} (router or worker) on a model of {@code numLayers}
     * layers; {@code profile} may be null (then the controller steps a whole patience at a time).
     */
    public AdaptivePatience(String role, AdaptiveSettings settings, int configuredPatience, int numLayers, PatienceProfile profile,
                            MeterRegistry metrics) {
        this.role = role;
        this.settings = settings;
        this.metrics = metrics;
        this.controller = new PatienceController(settings, configuredPatience, numLayers, profile, () -> agreement.get());
        this.budgets = new BudgetPlanner(numLayers, settings.minPatience(), profile);
        this.loggedLevel = (int) controller.top();
        Gauge.builder("pabee_adaptive_patience", this, a -> a.plan.lowered() ? a.plan.level() : a.controller.top())
                .tag("role", role).description("Mean patience the load controller allows (the configured one when not lowered)")
                .register(metrics);
        if (settings.enabled()) {
            LOG.info("{}: adaptive patience on: target {} ms, level {} .. {}{}", role, settings.sloMs(),
                    String.format("%.2f", controller.floor()), (int) controller.top(),
                    profile == null ? " (no patience profile: whole steps on the risk signal alone)" : "");
        }
    }

    /**
     * The adaptive patience of a {@code role} process from its parsed configuration ({@code AbstractConfig.values()}:
     * the CommonConfigs keys), with the task's patience profile from the model directory when there is one. The
     * caller sets the backlog source, starts and closes it.
     */
    public static AdaptivePatience forRole(String role, Map<String, ?> values, int numLayers, MeterRegistry metrics) {
        PatienceProfile profile = null;
        try {
            profile = PatienceProfile.read(Path.of((String) values.get(CommonConfigs.MODEL_DIR_CONFIG)),
                    (String) values.get(CommonConfigs.TASK_CONFIG)).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("{}: ignoring the patience profile: {}", role, e.getMessage());
        }
        return new AdaptivePatience(role, AdaptiveSettings.from(values), (Integer) values.get(CommonConfigs.PATIENCE_CONFIG),
                numLayers, profile, metrics);
    }

    /** A process's patience with adaptation off: budgets only. */
    public static AdaptivePatience fixed(String role, int configuredPatience, int numLayers, MeterRegistry metrics) {
        return new AdaptivePatience(role, AdaptiveSettings.off(), configuredPatience, numLayers, null, metrics);
    }

    /** Where the records waiting outside the process are counted (e.g. the input topic's consumer lag). */
    public void backlogSource(LongSupplier lag) {
        this.backlogOutside = lag;
    }

    /** Where the shadow agreement of lowered records comes from. */
    public void agreementSource(Supplier<PatienceController.AgreementReading> source) {
        this.agreement = source;
    }

    /** Starts the controller's timer (only with adaptation on). */
    public synchronized AdaptivePatience start() {
        if (settings.enabled() && timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pabee-adaptive-" + role);
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::tick, settings.intervalMs(), settings.intervalMs(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Records held by the process and not yet answered: add on receipt, subtract when answered. */
    public void waiting(long delta) {
        waiting.addAndGet(delta);
    }

    /**
     * One batch finished: {@code records} answered or forwarded, the largest event-time age when it
     * started, its wall time and the mean layers its records ran.
     */
    public void batchDone(int records, long maxAgeMs, long wallNanos, double meanLayersRun) {
        served.addAndGet(records);
        maxAge.accumulateAndGet(maxAgeMs, Math::max);
        if (records > 0 && meanLayersRun > 0) {
            double ms = wallNanos / 1e6 / meanLayersRun;
            double old = msPerLayer;
            msPerLayer = Double.isNaN(old) ? ms : 0.7 * old + 0.3 * ms;
        }
    }

    /** The plan in effect. */
    public PatiencePlan plan() {
        return plan;
    }

    /** Measured wall time per layer of a record under the current load, NaN before the first batch. */
    public double msPerLayer() {
        return msPerLayer;
    }

    /**
     * The patience for record {@code id} that asked for {@code requested} (0 = full depth): the load
     * plan's cap, then its latency budget ({@code budgetMs} from {@code eventTime}, null = none).
     */
    public PatiencePlan.Choice choose(String id, int requested, Long budgetMs, long eventTime, long nowMs) {
        PatiencePlan.Choice c = plan.apply(id, requested);
        if (budgetMs != null) {
            int p = budgets.choose(c.patience(), budgetMs - (nowMs - eventTime), msPerLayer);
            if (p != c.patience()) {
                c = new PatiencePlan.Choice(p, LoweredReason.BUDGET);
            }
        }
        if (c.reason() != null) {
            metrics.counter("pabee_lowered_total", "role", role, "reason", c.reason().wire()).increment();
        }
        return c;
    }

    /** One control step; public for tests that drive time themselves. */
    public synchronized void tick(long nowMs) {
        long interval = lastTick < 0 ? settings.intervalMs() : Math.max(1, nowMs - lastTick);
        lastTick = nowMs;
        long backlog = Math.max(0, waiting.get()) + Math.max(0, backlogOutside.getAsLong());
        PatiencePlan next = controller.observe(new LoadSample(nowMs, interval, backlog, served.getAndSet(0), maxAge.getAndSet(-1)));
        plan = next;
        int shown = next.lowered() ? (int) Math.floor(next.level()) : (int) controller.top();
        if (shown != loggedLevel) {
            LOG.info("{}: patience {} {} (configured {}): {}", role, shown < loggedLevel ? "lowered to" : "raised to",
                    next.lowered() ? String.format("%.2f", next.level()) : Integer.toString(shown), (int) controller.top(),
                    controller.reason());
            loggedLevel = shown;
        }
    }

    private void tick() {
        try {
            tick(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.warn("{}: adaptive patience step failed: {}", role, e.toString());
        }
    }

    /** The controller, for tests and reports. */
    public PatienceController controller() {
        return controller;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
