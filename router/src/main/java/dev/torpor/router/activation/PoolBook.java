package dev.torpor.router.activation;

import dev.torpor.pool.Device;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.pool.PooledInstance;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The pool's book-keeping, shared by the activator's parts: every model version's {@link ModelGate}, the
 * instances taken out of their gate that are still stopping, the devices, the operators' limits, the clock,
 * and the pool's one lock.
 *
 * <p>Thread-safety: {@link #lock} guards the gates (the maps and each gate's state) and {@link #stopping};
 * every method here that reads or writes them must be called holding it, and asserts it. {@link #isShuttingDown()}
 * is volatile and the event counter atomic, so both may be read anywhere.
 */
final class PoolBook {
    /** Guards every gate, the maps of gates and {@link #stopping}. */
    final PoolLock lock = new PoolLock();
    private final Map<ModelId, ModelGate> gates = new HashMap<>();
    /**
     * The same gates by model name, so that a view of one model need not look through every gate: the
     * repository listing asks for each model in turn, which was quadratic in the models that had ever served
     * (24.6 ms per listing of 1,000 such models, samples/growth-bench.sh). {@link #gateFor} and {@link #forget}
     * keep the two maps in step.
     */
    private final Map<String, List<ModelGate>> gatesByModel = new HashMap<>();
    /** Instances taken out of their gate that have not yet stopped: they still hold their device's memory. */
    private final Map<InstanceSlot, ModelGate> stopping = new LinkedHashMap<>();
    private final Supplier<List<Device>> devices;
    private final Supplier<PoolLimits> limits;
    private final Clock clock;
    private volatile boolean shuttingDown;
    /** Orders admissions against instances becoming READY, to tell cold requests from warm ones exactly. */
    private final AtomicLong events = new AtomicLong();
    /** Told, once, of every instance that has stopped (its final counters); for billing's reconciliation. */
    private volatile Consumer<InstanceView> stoppedListener = view -> { };

    /**
     * @param devices every device of the pool, the CPU included
     * @param limits  the operators' current limits, read at every placement
     */
    PoolBook(Supplier<List<Device>> devices, Supplier<PoolLimits> limits, Clock clock) {
        this.devices = devices;
        this.limits = limits;
        this.clock = clock;
    }

    /** The version's gate with the config a request or wake brought: created on first use, else updated. */
    ModelGate gateFor(ModelManifest manifest, Path artifact, ServingPolicy policy) {
        lock.assertHeld();
        ModelGate gate = gates.get(manifest.id());
        if (gate == null) {
            gate = new ModelGate(manifest.id(), lock, manifest, artifact, policy);
            gates.put(manifest.id(), gate);
            gatesByModel.computeIfAbsent(manifest.id().name(), name -> new ArrayList<>()).add(gate);
        } else {
            gate.update(manifest, artifact, policy);
        }
        return gate;
    }

    /** The gates of the versions of {@code model} that have been used, oldest first. */
    List<ModelGate> gatesOf(String model) {
        lock.assertHeld();
        return gatesByModel.getOrDefault(model, List.of());
    }

    /** The version's gate, or null when it has never been used (or was forgotten). */
    ModelGate existingGate(ModelId id) {
        lock.assertHeld();
        return gates.get(id);
    }

    Collection<ModelGate> gates() {
        lock.assertHeld();
        return gates.values();
    }

    /** Forgets a retired gate, unless another has taken its place since. */
    void forget(ModelGate gate) {
        lock.assertHeld();
        if (gates.remove(gate.id(), gate)) {
            List<ModelGate> versions = gatesByModel.get(gate.id().name());
            versions.remove(gate);
            if (versions.isEmpty()) {
                gatesByModel.remove(gate.id().name());
            }
        }
    }

    PoolLimits limits() {
        return limits.get();
    }

    Clock clock() {
        return clock;
    }

    /** The next number in the order of admissions and instances becoming READY. */
    long nextEvent() {
        return events.incrementAndGet();
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    /** From now on nothing new is admitted, woken or placed. */
    void beginShutdown() {
        shuttingDown = true;
    }

    /** Moves an instance from its gate to {@link #stopping}; it holds its capacity until it has stopped. */
    void beginStopping(ModelGate gate, InstanceSlot slot) {
        lock.assertHeld();
        if (gate.remove(slot)) {
            stopping.put(slot, gate);
        }
    }

    /**
     * An instance has stopped: it no longer holds capacity, and no gate waits for it any more. Returns its
     * final view for {@link #tellStopped}, or null when it was not stopping (the pool shut down).
     */
    InstanceView forgetStopped(InstanceSlot slot) {
        lock.assertHeld();
        ModelGate owner = stopping.remove(slot);
        for (ModelGate gate : gates.values()) {
            gate.placement().evictionStopped(slot);
        }
        return owner == null ? null : InstanceView.of(owner.id(), slot);
    }

    /** Registers the one listener told of each stopped instance. */
    void onStopped(Consumer<InstanceView> listener) {
        stoppedListener = Objects.requireNonNull(listener, "listener");
    }

    /** Tells the listener of a stopped instance; called without the lock. */
    void tellStopped(InstanceView last) {
        stoppedListener.accept(last);
    }

    /** The pool as placement sees it: devices, and every instance holding capacity (stopping ones too). */
    PoolState snapshotLocked() {
        lock.assertHeld();
        List<PooledInstance> instances = new ArrayList<>();
        Map<String, Integer> keepWarm = new HashMap<>();
        for (ModelGate gate : gates.values()) {
            for (InstanceSlot slot : gate.slots()) {
                PooledInstance.Phase phase = slot.isDraining() ? PooledInstance.Phase.DRAINING
                        : slot.isReady() ? PooledInstance.Phase.READY : PooledInstance.Phase.LOADING;
                instances.add(new PooledInstance(slot.instance().id(), gate.key(), slot.device().id(),
                        slot.memoryMb(), phase, slot.inFlight(),
                        slot.isReady() && slot.inFlight() == 0 ? slot.idleSince() : null));
            }
            if (gate.policy().minInstances() > 0) {
                keepWarm.put(gate.key(), gate.policy().minInstances());
            }
        }
        stopping.forEach((slot, gate) -> instances.add(new PooledInstance(slot.instance().id(), gate.key(),
                slot.device().id(), slot.memoryMb(), PooledInstance.Phase.STOPPING, slot.inFlight(), null)));
        return new PoolState(devices.get(), instances, keepWarm);
    }

    /** Requests waiting for capacity across every model. */
    int queuedTotalLocked() {
        lock.assertHeld();
        int total = 0;
        for (ModelGate gate : gates.values()) {
            total += gate.queued();
        }
        return total;
    }
}
