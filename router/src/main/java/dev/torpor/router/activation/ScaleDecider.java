package dev.torpor.router.activation;

import java.time.Instant;

/**
 * Decides how many instances a model version should have, in the manner of Knative's KPA; a pure function
 * of a snapshot, the previous decision's state and the time (the activator applies the decision).
 *
 * <pre>
 *   per instance = concurrencyPerInstance × targetUtilisation
 *   stable want  = ceil(demand averaged over the stable window / per instance)
 *   panic want   = ceil(demand averaged over the panic window  / per instance)
 * </pre>
 * A burst whose panic want reaches {@code panicThreshold} × the READY instances starts panic mode: the panic
 * want rules, and the count never goes down while panicking. Panic ends a stable window after the last burst.
 * Otherwise the stable want rules. The result is clamped to {@code minInstances … maxInstances}; scaling
 * down by load stops at {@code max(minInstances, 1)} — only the idle timeout takes the last instance to zero.
 * A model at zero stays there (or at {@code minInstances}) whatever its past demand: a request wakes it.
 */
public final class ScaleDecider {
    private final ScalingSettings settings;

    public ScaleDecider(ScalingSettings settings) {
        this.settings = settings;
    }

    /**
     * What the decider knows about one model version at a tick.
     *
     * @param live             instances LOADING or READY (not draining)
     * @param ready            instances READY
     * @param stableDemand     average concurrency (queued + running) over the stable window
     * @param panicDemand      average concurrency over the panic window
     * @param maxInstances     the model's maxInstances, already lowered to the pool's maxInstancesPerModel
     */
    public record Snapshot(int live, int ready, double stableDemand, double panicDemand, int minInstances,
                           int maxInstances, int concurrencyPerInstance) {
    }

    /** The decider's memory between ticks: when panic last saw a burst (null: not panicking), and its peak. */
    public record State(Instant panicSince, int panicPeak) {
        public static final State CALM = new State(null, 0);

        public boolean panicking() {
            return panicSince != null;
        }
    }

    /** A decision, with the numbers it came from (for logs and traces). */
    public record Decision(int desired, State state, int stableWant, int panicWant) {
    }

    public Decision decide(Snapshot snapshot, State previous, Instant now) {
        if (snapshot.live() == 0) {
            // At zero, only a request wakes the model (the activator's cold path) or minInstances keeps it warm:
            // past demand must not bring back a model the idle timeout or an eviction just took away.
            return new Decision(Math.min(snapshot.minInstances(), snapshot.maxInstances()), State.CALM, 0, 0);
        }
        double perInstance = snapshot.concurrencyPerInstance() * settings.targetUtilisation();
        int stableWant = ceil(snapshot.stableDemand() / perInstance);
        int panicWant = ceil(snapshot.panicDemand() / perInstance);
        int readyForRatio = Math.max(1, snapshot.ready());
        boolean burst = snapshot.panicDemand() / perInstance / readyForRatio >= settings.panicThreshold();

        Instant panicSince = previous.panicSince();
        if (burst) {
            panicSince = now;
        } else if (panicSince != null && !now.isBefore(panicSince.plus(settings.stableWindow()))) {
            panicSince = null;
        }
        int desired;
        int peak = 0;
        if (panicSince != null) {
            desired = Math.max(Math.max(stableWant, panicWant), Math.max(previous.panicPeak(), snapshot.live()));
            desired = Math.min(desired, snapshot.maxInstances());
            peak = desired;
        } else {
            desired = stableWant;
        }
        int floor = snapshot.live() > 0 ? Math.max(snapshot.minInstances(), 1) : snapshot.minInstances();
        desired = Math.max(floor, Math.min(desired, snapshot.maxInstances()));
        desired = Math.min(desired, snapshot.maxInstances());
        return new Decision(desired, new State(panicSince, peak), stableWant, panicWant);
    }

    private static int ceil(double value) {
        return value <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.ceil(value - 1e-9));
    }
}
