package dev.torpor.router.activation;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.TorporException;
import dev.torpor.function.FunctionInstance;
import dev.torpor.pool.InstanceIds;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.Placement;
import dev.torpor.pool.PlacementDecision;
import dev.torpor.pool.PlacementRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a model version one more instance: asks {@link Placement} where, then launches it, or drains the idle
 * instances of other models it must evict first, or records that the version waits for capacity, or refuses
 * (taking what the version has waiting, to be failed with 503). Also takes instances out of service
 * ({@link #drain}).
 *
 * <p>Decides only: it changes the book-keeping and returns what it decided as a {@link Step}, a value that
 * {@link Completions#carryOut} turns into the work to run once the lock is released (the launched instance's
 * load, the evicted instances' stops, failing the refused requests). It knows nothing of what happens next.
 *
 * <p>Thread-safety: every method must be called holding the {@link PoolBook#lock pool's lock}, and asserts it.
 */
final class Placer {
    /** Logs under the activator's name, as the pool always has. */
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    static final Duration NO_PLACEMENT_RETRY = Duration.ofSeconds(5);

    private final PoolBook book;
    private final Launcher launcher;

    Placer(PoolBook book, Launcher launcher) {
        this.book = book;
        this.launcher = launcher;
    }

    /**
     * What one placement decided for {@code gate}: the instance it launched (to load), the instances it evicted
     * (drained and out of their gates: to stop), or the requests and wakes it refused (to fail with
     * {@code refusal}). At most one of the three is non-empty; all are empty when the gate waits for capacity.
     */
    record Step(ModelGate gate, PlacementDecision decision, InstanceSlot launched, List<InstanceSlot> evicted,
                Waiting refused, TorporException refusal) {
    }

    /**
     * Places one new instance for the gate: launches it, or evicts idle instances of other models first (the
     * gate is retried once they stopped), or waits for capacity, or refuses — taking the gate's queue and wakes.
     */
    Step place(ModelGate gate) {
        book.lock.assertHeld();
        assert !gate.isRetiring() : "a retiring version gets no instance";
        ServingPolicy policy = gate.policy();
        PlacementRequest request = new PlacementRequest(gate.key(), policy.device(), policy.memoryMb(),
                policy.maxInstances(), gate.gpuAllowed());
        PlacementDecision decision = Placement.place(request, book.snapshotLocked(), book.limits());
        if (decision instanceof PlacementDecision.Place place && place.fitsNow()) {
            gate.placement().placed();
            return new Step(gate, decision, launch(gate, place), List.of(), Waiting.NONE, null);
        }
        if (decision instanceof PlacementDecision.Place place) {
            List<InstanceSlot> victims = new ArrayList<>();
            for (ModelGate other : book.gates()) {
                for (InstanceSlot slot : List.copyOf(other.slots())) {
                    if (place.evict().contains(slot.instance().id()) && drain(other, slot)) {
                        victims.add(slot);
                    }
                }
            }
            gate.placement().awaitEvictions(victims, "evicting " + place.evict() + " to make room");
            LOG.info("evicting {} to place {} on {}", place.evict(), gate.id(), place.device().id());
            return new Step(gate, decision, null, victims, Waiting.NONE, null);
        }
        if (decision instanceof PlacementDecision.Wait wait) {
            gate.placement().awaitCapacity(wait.reason());
            return new Step(gate, decision, null, List.of(), Waiting.NONE, null);
        }
        PlacementDecision.Refuse refuse = (PlacementDecision.Refuse) decision;
        Waiting refused = gate.takeAllWaiting();
        gate.observe(book.clock().instant());
        return new Step(gate, decision, null, List.of(), refused, noPlacement(refuse.reason()));
    }

    /** The 503 for a version that no device could ever hold within the limits. */
    static CapacityExhausted noPlacement(String reason) {
        return new CapacityExhausted("no placement is possible: " + reason, NO_PLACEMENT_RETRY);
    }

    private InstanceSlot launch(ModelGate gate, PlacementDecision.Place place) {
        ServingPolicy policy = gate.policy();
        String instanceId = InstanceIds.next(gate.id().name(), gate.id().version());
        FunctionInstance instance = launcher.launch(new LaunchSpec(instanceId, gate.manifest(), gate.artifact(),
                place.device(), policy.runtime(), policy.concurrencyPerInstance(), policy.memoryMb(),
                policy.batching()));
        InstanceSlot slot = new InstanceSlot(instance, place.device(), policy.memoryMb());
        gate.add(slot);
        return slot;
    }

    /**
     * Takes an instance out of service: it takes nothing new. Returns true when it is idle and has been moved
     * to {@link PoolBook#beginStopping stopping} (the caller then {@link Completions#stop stops} it after the
     * lock); a busy one stops when its last request finishes.
     */
    boolean drain(ModelGate gate, InstanceSlot slot) {
        book.lock.assertHeld();
        if (!slot.isDraining()) {
            slot.markDraining();
        }
        if (slot.inFlight() == 0) {
            book.beginStopping(gate, slot);
            return true;
        }
        return false;
    }
}
