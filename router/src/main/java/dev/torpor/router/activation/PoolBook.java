package dev.torpor.router.activation;

import dev.torpor.pool.Device;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.pool.PooledInstance;
import dev.torpor.store.ModelId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The pool's book-keeping, shared by the activator's parts: every model version's {@link ModelGate}, the
 * instances taken out of their gate that are still stopping, the devices, the operators' limits, the clock,
 * and the pool's one lock.
 *
 * <p>Thread-safety: {@link #lock} guards every gate's state and {@link #stopping}; the methods named
 * {@code …Locked} (and {@link #retire}, {@link #forgetStopped}) must be called holding it. The map of gates
 * itself is concurrent (a gate is created without the lock, its state is then read and written under it);
 * {@link #isShuttingDown()} is volatile and the event counter atomic, so both may be read anywhere.
 */
final class PoolBook {
    /** Guards every gate's state and {@link #stopping}. */
    final Object lock = new Object();
    private final ConcurrentMap<ModelId, ModelGate> gates = new ConcurrentHashMap<>();
    /**
     * The same gates by model name, so that a view of one model need not look through every gate: the
     * repository listing asks for each model in turn, which was quadratic in the models that had ever served
     * (24.6 ms per listing of 1,000 such models, samples/growth-bench.sh). Gates are never removed, so the two
     * maps agree once {@link #gateFor} has returned.
     */
    private final ConcurrentMap<String, List<ModelGate>> gatesByModel = new ConcurrentHashMap<>();
    /** Instances taken out of their gate that have not yet stopped: they still hold their device's memory. */
    private final Map<InstanceSlot, ModelGate> stopping = new LinkedHashMap<>();
    private final Supplier<List<Device>> devices;
    private final Supplier<PoolLimits> limits;
    private final Clock clock;
    private volatile boolean shuttingDown;
    /** Orders admissions against instances becoming READY, to tell cold requests from warm ones exactly. */
    private final AtomicLong events = new AtomicLong();

    /**
     * @param devices every device of the pool, the CPU included
     * @param limits  the operators' current limits, read at every placement
     */
    PoolBook(Supplier<List<Device>> devices, Supplier<PoolLimits> limits, Clock clock) {
        this.devices = devices;
        this.limits = limits;
        this.clock = clock;
    }

    /** The version's gate, created on first use. */
    ModelGate gateFor(ModelId id) {
        return gates.computeIfAbsent(id, key -> {
            ModelGate gate = new ModelGate(key);
            gatesByModel.computeIfAbsent(key.name(), name -> new CopyOnWriteArrayList<>()).add(gate);
            return gate;
        });
    }

    /** The gates of the versions of {@code model} that have been used, oldest first. */
    List<ModelGate> gatesOf(String model) {
        return gatesByModel.getOrDefault(model, List.of());
    }

    /** The version's gate, or null when it has never been used. */
    ModelGate existingGate(ModelId id) {
        return gates.get(id);
    }

    Collection<ModelGate> gates() {
        return gates.values();
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
    void retire(ModelGate gate, InstanceSlot slot) {
        if (gate.slots.remove(slot)) {
            stopping.put(slot, gate);
        }
    }

    /** An instance has stopped: it no longer holds capacity, and no gate waits for it any more. */
    /** Told, once, of every instance that has stopped (its final counters); for billing's reconciliation. */
    volatile java.util.function.Consumer<InstanceView> stoppedListener = view -> { };

    /** The final view of a stopping instance, for {@link #stoppedListener}; null when it is not stopping. */
    InstanceView stoppingViewLocked(InstanceSlot slot) {
        ModelGate gate = stopping.get(slot);
        return gate == null ? null : InstanceView.of(gate.id, slot);
    }

    void forgetStopped(InstanceSlot slot) {
        stopping.remove(slot);
        for (ModelGate gate : gates.values()) {
            gate.awaitingStops.remove(slot);
        }
    }

    /** The pool as placement sees it: devices, and every instance holding capacity (stopping ones too). */
    PoolState snapshotLocked() {
        List<PooledInstance> instances = new ArrayList<>();
        Map<String, Integer> keepWarm = new HashMap<>();
        for (ModelGate gate : gates.values()) {
            for (InstanceSlot slot : gate.slots) {
                PooledInstance.Phase phase = slot.isDraining() ? PooledInstance.Phase.DRAINING
                        : slot.isReady() ? PooledInstance.Phase.READY : PooledInstance.Phase.LOADING;
                instances.add(new PooledInstance(slot.instance().id(), gate.key, slot.device().id(), slot.memoryMb(),
                        phase, slot.inFlight(), slot.isReady() && slot.inFlight() == 0 ? slot.idleSince() : null));
            }
            if (gate.policy != null && gate.policy.minInstances() > 0) {
                keepWarm.put(gate.key, gate.policy.minInstances());
            }
        }
        stopping.forEach((slot, gate) -> instances.add(new PooledInstance(slot.instance().id(), gate.key,
                slot.device().id(), slot.memoryMb(), PooledInstance.Phase.STOPPING, slot.inFlight(), null)));
        return new PoolState(devices.get(), instances, keepWarm);
    }

    /** Requests waiting for capacity across every model. */
    int queuedTotalLocked() {
        int total = 0;
        for (ModelGate gate : gates.values()) {
            total += gate.queue.size();
        }
        return total;
    }
}
