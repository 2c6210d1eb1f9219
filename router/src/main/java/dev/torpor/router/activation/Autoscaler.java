package dev.torpor.router.activation;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link ScaleDecider}'s decisions: at every tick it closes each model version's demand bucket,
 * asks the decider for the desired count, and then acts — places more instances (through the pool's
 * placement, so limits, eviction and waiting apply) or drains the surplus (idle instances first, then the
 * least busy; a busy instance finishes its requests in flight before it stops). Never below
 * {@code max(minInstances, 1)} by load: the {@link Reaper}'s idle timeout takes the last instance to zero.
 */
public final class Autoscaler {
    private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

    private final PoolControl pool;
    private final ScaleDecider decider;
    private final ScalingSettings settings;

    public Autoscaler(Activator activator, ScalingSettings settings) {
        this.pool = activator.control();
        this.settings = settings;
        this.decider = new ScaleDecider(settings);
    }

    public ScalingSettings settings() {
        return settings;
    }

    /** One tick: measure, decide, act. Returns each version's decision (for logs, traces and tests). */
    public Map<String, ScaleDecider.Decision> tick(Instant now) {
        return pool.adjust(changes -> {
            Map<String, ScaleDecider.Decision> decisions = new LinkedHashMap<>();
            if (changes.isShuttingDown()) {
                return decisions;
            }
            int poolCap = changes.limits().instancesPerModel();
            for (ModelGate gate : changes.gates()) {
                if (!gate.isRetiring()) {
                    decisions.put(gate.key(), scale(gate, poolCap, now, changes));
                }
            }
            return decisions;
        });
    }

    /** Under the lock: measures one version, decides its count and places or drains towards it. */
    private ScaleDecider.Decision scale(ModelGate gate, int poolCap, Instant now, PoolControl.Changes changes) {
        gate.observe(now);
        gate.closeDemandBucket(now, settings.stableWindow());
        int live = gate.liveCount();
        ServingPolicy policy = gate.policy();
        var snapshot = new ScaleDecider.Snapshot(live, (int) gate.readyCount(),
                gate.averageDemand(now, settings.stableWindow()), gate.averageDemand(now, settings.panicWindow()),
                policy.minInstances(), Math.min(policy.maxInstances(), poolCap), policy.inFlightPerInstance());
        ScaleDecider.Decision decision = decider.decide(snapshot, gate.scaleState(), now);
        if (decision.state().panicking() != gate.scaleState().panicking()) {
            LOG.info("{} {} panic mode (panic-window demand {}, {} READY)", gate.id(),
                    decision.state().panicking() ? "enters" : "leaves",
                    String.format("%.1f", snapshot.panicDemand()), snapshot.ready());
        }
        gate.rememberScale(decision.state());
        if (decision.desired() > live) {
            if (!gate.placement().isWaiting() && !gate.backoffBlocks(now)) {
                for (int i = live; i < decision.desired(); i++) {
                    if (!changes.place(gate)) {
                        break; // evicting or waiting: capacity freeing retries it, the next tick re-decides
                    }
                }
            }
        } else if (decision.desired() < live) {
            gate.slots().stream()
                    .filter(InstanceSlot::isReady)
                    .sorted(Comparator.comparingInt(InstanceSlot::inFlight)
                            .thenComparing(slot -> slot.idleSince() == null ? Instant.MAX : slot.idleSince()))
                    .limit(live - decision.desired())
                    .toList()
                    .forEach(slot -> changes.drain(gate, slot));
        }
        return decision;
    }
}
