package dev.torpor.router.activation;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.TorporException;
import dev.torpor.function.FunctionInstance;
import dev.torpor.pool.Device;
import dev.torpor.pool.InstanceIds;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.Placement;
import dev.torpor.pool.PlacementDecision;
import dev.torpor.pool.PlacementRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a model version one more instance: asks {@link Placement} where, then launches it, or drains the idle
 * instances of other models it must evict first, or records that the version waits for capacity, or refuses
 * (failing what the version has waiting with 503). Also takes instances out of service ({@link #drain}).
 *
 * <p>Thread-safety: every method here is called holding the {@link PoolBook#lock pool's lock} and only
 * decides: it changes the book-keeping and returns, as a {@link Step}, what the caller runs once it has
 * released the lock (the launched instance's load, the evicted instances' stops, failing the refused
 * requests). Completions of what it starts are handled by its {@link Completions}.
 */
final class Placer {
    /** Logs under the activator's name, as the pool always has. */
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    static final Duration NO_PLACEMENT_RETRY = Duration.ofSeconds(5);

    private final PoolBook book;
    private final Launcher launcher;
    private final Completions completions;

    /**
     * Creates the placer and the {@link Completions} that handle what it launches; the two call each other (a
     * stopped instance frees capacity that is placed again), so they are made together, here.
     */
    Placer(PoolBook book, Launcher launcher) {
        this.book = book;
        this.launcher = launcher;
        this.completions = new Completions(book, this);
    }

    Completions completions() {
        return completions;
    }

    /** What a placement did: the action to run after the lock, the instance it launched (if any), and why. */
    record Step(Runnable action, InstanceSlot launched, PlacementDecision decision) {
    }

    /**
     * Places one new instance for the gate: launches it, or evicts idle instances of other models first (the
     * gate is retried once they stopped), or waits for capacity, or refuses — failing the gate's queue with 503.
     */
    Step place(ModelGate gate) {
        ServingPolicy policy = gate.policy;
        PlacementRequest request = new PlacementRequest(gate.key, policy.device(), policy.memoryMb(),
                policy.maxInstances(), !gate.gpuFailed);
        PlacementDecision decision = Placement.place(request, book.snapshotLocked(), book.limits());
        if (decision instanceof PlacementDecision.Place place && place.fitsNow()) {
            gate.awaitingPlacement = false;
            gate.waitReason = null;
            return launch(gate, place.device(), decision);
        }
        if (decision instanceof PlacementDecision.Place place) {
            gate.awaitingPlacement = true;
            gate.waitReason = "evicting " + place.evict() + " to make room";
            List<InstanceSlot> victims = new ArrayList<>();
            for (ModelGate other : book.gates()) {
                for (InstanceSlot slot : List.copyOf(other.slots)) {
                    if (place.evict().contains(slot.instance().id()) && drain(other, slot)) {
                        victims.add(slot);
                    }
                }
            }
            gate.awaitingStops.addAll(victims);
            LOG.info("evicting {} to place {} on {}", place.evict(), gate.id, place.device().id());
            return new Step(() -> victims.forEach(completions::stop), null, decision);
        }
        if (decision instanceof PlacementDecision.Wait wait) {
            gate.awaitingPlacement = true;
            gate.waitReason = wait.reason();
            return new Step(() -> { }, null, decision);
        }
        PlacementDecision.Refuse refuse = (PlacementDecision.Refuse) decision;
        gate.awaitingPlacement = false;
        List<Invocation> waiting = new ArrayList<>(gate.queue);
        gate.queue.clear();
        gate.observe(book.clock().instant());
        TorporException refused = noPlacement(refuse.reason());
        List<CompletableFuture<Void>> wakes = new ArrayList<>(gate.wakeWaiters);
        gate.wakeWaiters.clear();
        return new Step(() -> {
            waiting.forEach(invocation -> invocation.fail(refused));
            wakes.forEach(wake -> wake.completeExceptionally(refused));
        }, null, decision);
    }

    /** The 503 for a version that no device could ever hold within the limits. */
    static CapacityExhausted noPlacement(String reason) {
        return new CapacityExhausted("no placement is possible: " + reason, NO_PLACEMENT_RETRY);
    }

    private Step launch(ModelGate gate, Device device, PlacementDecision decision) {
        ServingPolicy policy = gate.policy;
        String instanceId = InstanceIds.next(gate.id.name(), gate.id.version());
        FunctionInstance instance = launcher.launch(new LaunchSpec(instanceId, gate.manifest, gate.artifact, device,
                policy.runtime(), policy.concurrencyPerInstance(), policy.memoryMb(), policy.batching()));
        InstanceSlot slot = new InstanceSlot(instance, device, policy.memoryMb());
        gate.slots.add(slot);
        return new Step(() -> instance.load().whenComplete((took, failure) -> completions.loaded(gate, slot, took,
                failure)), slot, decision);
    }

    /**
     * Takes an instance out of service: it takes nothing new. Returns true when it is idle and has been
     * {@link PoolBook#retire retired} (the caller then {@link Completions#stop stops} it after the lock); a busy
     * one stops when its last request finishes.
     */
    boolean drain(ModelGate gate, InstanceSlot slot) {
        if (!slot.isDraining()) {
            slot.markDraining();
        }
        if (slot.inFlight() == 0) {
            book.retire(gate, slot);
            return true;
        }
        return false;
    }
}
