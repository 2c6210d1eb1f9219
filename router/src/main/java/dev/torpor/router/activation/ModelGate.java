package dev.torpor.router.activation;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.RetryLater;
import dev.torpor.error.TorporException;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Everything the activator knows about one model version: its waiting requests, its instances, its load
 * failures, its demand and the autoscaler's memory. Guarded by the pool's one lock ({@link PoolBook#lock});
 * engine calls happen outside it.
 */
final class ModelGate {
    final ModelId id;
    /** {@code name/version}: the model's key in the pool's accounting. */
    final String key;
    final Deque<Invocation> queue = new ArrayDeque<>();
    final List<InstanceSlot> slots = new ArrayList<>();
    final LoadBackoff backoff = new LoadBackoff();
    final ConcurrencyWindow demand = new ConcurrencyWindow();
    ScaleDecider.State scale = ScaleDecider.State.CALM;
    ScaleDecider.Decision lastDecision;
    ModelManifest manifest;
    Path artifact;
    ServingPolicy policy;
    /** A placement could not be made now; capacity freeing elsewhere retries it. */
    boolean awaitingPlacement;
    /** Why the last placement had to wait, for the 504 that may follow. */
    String waitReason;
    /** Instances of other models evicted for this one, still stopping: the placement retries once they are gone. */
    final Set<InstanceSlot> awaitingStops = new HashSet<>();
    /** A GPU instance of this version failed to start: {@code device: any} now means the CPU. */
    boolean gpuFailed;
    /** Explicit wakes waiting for an instance to become READY. */
    final List<CompletableFuture<Void>> wakeWaiters = new ArrayList<>();

    ModelGate(ModelId id) {
        this.id = id;
        this.key = id.name() + "/" + id.version();
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
            if (slot.hasRoom(policy.inFlightPerInstance()) && (best == null || slot.inFlight() < best.inFlight())) {
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

    int liveCount() {
        return (int) slots.stream().filter(slot -> slot.isReady() || slot.isLoading()).count();
    }

    /** Requests queued or running: the demand the autoscaler measures. */
    int demandNow() {
        int running = 0;
        for (InstanceSlot slot : slots) {
            running += slot.inFlight();
        }
        return queue.size() + running;
    }

    /** Tells the demand window that demand may have changed. */
    void observe(Instant now) {
        demand.observe(demandNow(), now);
    }

    /** The admission number of the oldest queued request, for serving models in arrival order. */
    long oldestWaiting() {
        Invocation head = queue.peekFirst();
        return head == null ? Long.MAX_VALUE : head.admittedSequence();
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

    /** The refusal while the load backoff blocks: the last load's reason, and when the next attempt may come. */
    TorporException loadFailure(Instant now) {
        Duration wait = backoff.remaining(now);
        return new ModelLoadFailed("model " + id + " failed to load: " + backoff.lastReason()
                + " (next attempt in " + RetryLater.wholeSeconds(wait) + " s)", wait);
    }
}
