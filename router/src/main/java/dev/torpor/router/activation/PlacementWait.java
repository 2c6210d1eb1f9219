package dev.torpor.router.activation;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether a model version waits for a placement, why, and which instances of other models, evicted for it,
 * it waits to see stop. A waiting version is retried when capacity frees ({@link Completions#capacityFreed}),
 * once no eviction is pending.
 *
 * <p>Part of its {@link ModelGate}: not thread-safe, guarded by the pool's lock, which every change asserts.
 */
final class PlacementWait {
    private final PoolLock lock;
    /** Instances evicted for this version, still stopping: the placement retries once they are gone. */
    private final Set<InstanceSlot> awaitingStops = new HashSet<>();
    /** A placement could not be made now; capacity freeing elsewhere retries it. */
    private boolean waiting;
    /** Why the last placement had to wait, for the 504 that may follow. */
    private String reason;

    PlacementWait(PoolLock lock) {
        this.lock = lock;
    }

    boolean isWaiting() {
        return waiting;
    }

    /** A placement was made: nothing waits for capacity any more. */
    void placed() {
        lock.assertHeld();
        waiting = false;
        reason = null;
    }

    /** The placement has to wait for capacity to free elsewhere, for {@code why}. */
    void awaitCapacity(String why) {
        lock.assertHeld();
        waiting = true;
        reason = why;
    }

    /** The placement waits for {@code victims}, evicted for this version, to stop. */
    void awaitEvictions(Collection<InstanceSlot> victims, String why) {
        awaitCapacity(why);
        awaitingStops.addAll(victims);
    }

    /** An instance has stopped; if it was evicted for this version, one fewer eviction is awaited. */
    void evictionStopped(InstanceSlot slot) {
        lock.assertHeld();
        awaitingStops.remove(slot);
    }

    boolean awaitsEvictions() {
        return !awaitingStops.isEmpty();
    }

    /** Whether freed capacity should retry the placement now: it waits, and no eviction is pending. */
    boolean mayRetry() {
        return waiting && awaitingStops.isEmpty();
    }

    /** Stops waiting (the placement is retried now, or given up, or nothing needs it any more). */
    void stop() {
        lock.assertHeld();
        waiting = false;
    }

    /** Why the last placement waited; null when it did not. */
    String reason() {
        return reason;
    }

    /** What a 504 adds when the request waited for a placement: {@code " (no capacity: …)"}, else empty. */
    String noCapacityNote() {
        return waiting && reason != null ? " (no capacity: " + reason + ")" : "";
    }
}
