package dev.torpor.router.activation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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

    private final Activator activator;
    private final ScaleDecider decider;
    private final ScalingSettings settings;

    public Autoscaler(Activator activator, ScalingSettings settings) {
        this.activator = activator;
        this.settings = settings;
        this.decider = new ScaleDecider(settings);
    }

    public ScalingSettings settings() {
        return settings;
    }

    /** One tick: measure, decide, act. Returns each version's decision (for logs, traces and tests). */
    public Map<String, ScaleDecider.Decision> tick(Instant now) {
        Map<String, ScaleDecider.Decision> decisions = new LinkedHashMap<>();
        List<Runnable> actions = new ArrayList<>();
        List<InstanceSlot> stopNow = new ArrayList<>();
        synchronized (activator.lock) {
            if (activator.isShuttingDown()) {
                return decisions;
            }
            int poolCap = activator.limits().instancesPerModel();
            for (ModelGate gate : activator.gates()) {
                if (gate.policy == null) {
                    continue;
                }
                gate.observe(now);
                gate.demand.tick(now, settings.stableWindow());
                int live = gate.liveCount();
                var snapshot = new ScaleDecider.Snapshot(live, (int) gate.readyCount(),
                        gate.demand.average(now, settings.stableWindow()), gate.demand.average(now, settings.panicWindow()),
                        gate.policy.minInstances(), Math.min(gate.policy.maxInstances(), poolCap),
                        gate.policy.inFlightPerInstance());
                ScaleDecider.Decision decision = decider.decide(snapshot, gate.scale, now);
                if (decision.state().panicking() != gate.scale.panicking()) {
                    LOG.info("{} {} panic mode (panic-window demand {}, {} READY)", gate.id,
                            decision.state().panicking() ? "enters" : "leaves",
                            String.format("%.1f", snapshot.panicDemand()), snapshot.ready());
                }
                gate.scale = decision.state();
                gate.lastDecision = decision;
                decisions.put(gate.key, decision);
                if (decision.desired() > live) {
                    if (!gate.awaitingPlacement && !gate.backoff.blocks(now) && gate.manifest != null) {
                        for (int i = live; i < decision.desired(); i++) {
                            Placer.Step step = activator.place(gate);
                            actions.add(step.action());
                            if (step.launched() == null) {
                                break; // evicting or waiting: capacity freeing retries it, the next tick re-decides
                            }
                        }
                    }
                } else if (decision.desired() < live) {
                    List<InstanceSlot> surplus = gate.slots.stream()
                            .filter(InstanceSlot::isReady)
                            .sorted(Comparator.comparingInt(InstanceSlot::inFlight)
                                    .thenComparing(slot -> slot.idleSince() == null ? Instant.MAX : slot.idleSince()))
                            .limit(live - decision.desired())
                            .toList();
                    for (InstanceSlot slot : surplus) {
                        if (activator.drain(gate, slot)) {
                            stopNow.add(slot);
                        }
                    }
                }
            }
        }
        stopNow.forEach(activator::stop);
        actions.forEach(Runnable::run);
        return decisions;
    }
}
