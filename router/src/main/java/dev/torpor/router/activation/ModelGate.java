package dev.torpor.router.activation;

import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Everything the activator knows about one model version: its waiting requests, its instances and its
 * load failures. Every field is guarded by the gate's own monitor; engine calls happen outside it.
 */
final class ModelGate {
    final ModelId id;
    final Deque<Invocation> queue = new ArrayDeque<>();
    final List<InstanceSlot> slots = new ArrayList<>();
    final LoadBackoff backoff = new LoadBackoff();
    ModelManifest manifest;
    Path artifact;
    ServingPolicy policy;

    ModelGate(ModelId id) {
        this.id = id;
    }

    void update(ModelManifest manifest, Path artifact, ServingPolicy policy) {
        this.manifest = manifest;
        this.artifact = artifact;
        this.policy = policy;
    }

    /** The READY instance with the fewest requests in flight that can take one more, if any. */
    Optional<InstanceSlot> roomiest() {
        InstanceSlot best = null;
        for (InstanceSlot slot : slots) {
            if (slot.hasRoom(policy.concurrencyPerInstance()) && (best == null || slot.inFlight() < best.inFlight())) {
                best = slot;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Whether an instance is READY or on its way there: capacity exists or is coming. */
    boolean hasLiveCapacity() {
        return slots.stream().anyMatch(slot -> slot.isReady() || slot.isLoading());
    }

    long readyCount() {
        return slots.stream().filter(InstanceSlot::isReady).count();
    }

    /** Removes and returns the queued requests whose deadline is not after {@code now}. */
    List<Invocation> takeOverdue(Instant now) {
        List<Invocation> overdue = new ArrayList<>();
        queue.removeIf(invocation -> {
            boolean late = !now.isBefore(invocation.deadline());
            if (late) {
                overdue.add(invocation);
            }
            return late;
        });
        return overdue;
    }
}
