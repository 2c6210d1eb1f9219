package dev.torpor.router.activation;

import dev.torpor.pool.DevicePreference;
import dev.torpor.error.TorporException;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Everything the activator knows about one model version, and the rules that keep it consistent: its config,
 * the requests queued for it and the explicit wakes waiting for it, its instances, its load failures, its
 * demand and the autoscaler's memory, whether it waits for a placement (and for which evicted instances to
 * stop first), whether its GPU failed, and whether it is being retired.
 *
 * <p>The rules that live here: a gate waits for a placement only while something waits for capacity
 * ({@link #settle}); what is taken out of the queue and the wakes is taken out together
 * ({@link #takeAllWaiting}); a GPU load failure moves a {@code device: any} version to the CPU once
 * ({@link #fallBackFromGpu}); a retiring gate takes no request, wake or instance (asserted: callers refuse first).
 *
 * <p>Thread-safety: not thread-safe; every method must be called holding the pool's {@link PoolLock}, and
 * each one that changes the gate or hands out its state asserts it. Only the identity ({@link #id()}, {@link #key()}) is immutable and may be read anywhere. What a
 * method hands out (requests, wake futures) is completed by the caller once it has released the lock.
 */
final class ModelGate {
    private final ModelId id;
    /** {@code name/version}: the model's key in the pool's accounting. */
    private final String key;
    private final PoolLock lock;
    private final Deque<Invocation> queue = new ArrayDeque<>();
    private final List<InstanceSlot> slots = new ArrayList<>();
    private final List<InstanceSlot> slotsView = Collections.unmodifiableList(slots);
    private final LoadBackoff backoff = new LoadBackoff();
    private final ConcurrencyWindow demand = new ConcurrencyWindow();
    private final PlacementWait placement;
    /** Explicit wakes waiting for an instance to become READY. */
    private final List<CompletableFuture<Void>> wakeWaiters = new ArrayList<>();
    private ScaleDecider.State scale = ScaleDecider.State.CALM;
    private ModelManifest manifest;
    private Path artifact;
    private ServingPolicy policy;
    /** A GPU instance of this version failed to start: {@code device: any} now means the CPU. */
    private boolean gpuFailed;
    /** The version was deleted: the gate drains and takes nothing new until the pool forgets it. */
    private boolean retiring;

    /** A gate always has a config: it is made by the first request or wake, which brings one. */
    ModelGate(ModelId id, PoolLock lock, ModelManifest manifest, Path artifact, ServingPolicy policy) {
        this.id = id;
        this.key = id.name() + "/" + id.version();
        this.lock = lock;
        this.placement = new PlacementWait(lock);
        this.manifest = manifest;
        this.artifact = artifact;
        this.policy = policy;
    }

    // ---- identity and config ----

    ModelId id() {
        return id;
    }

    String key() {
        return key;
    }

    /** What the latest request or wake brought: the version's manifest, artifact and policy. */
    void update(ModelManifest manifest, Path artifact, ServingPolicy policy) {
        lock.assertHeld();
        this.manifest = manifest;
        this.artifact = artifact;
        this.policy = policy;
    }

    /** A changed config, applied before the next request brings it. */
    void applyPolicy(ServingPolicy policy) {
        lock.assertHeld();
        this.policy = policy;
    }

    ModelManifest manifest() {
        return manifest;
    }

    Path artifact() {
        return artifact;
    }

    ServingPolicy policy() {
        return policy;
    }

    // ---- the queue ----

    int queued() {
        return queue.size();
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    void enqueue(Invocation invocation) {
        lock.assertHeld();
        assert !retiring : "a retiring version takes no request";
        queue.addLast(invocation);
    }

    /** Takes a queued request out (its client went away); returns whether it was queued. */
    boolean withdraw(Invocation invocation, Instant now) {
        lock.assertHeld();
        boolean wasQueued = queue.remove(invocation);
        observe(now);
        settle();
        return wasQueued;
    }

    /** Takes the oldest queued request for {@code slot}, when it is READY with room for one more; else null. */
    Invocation nextFor(InstanceSlot slot) {
        lock.assertHeld();
        return !queue.isEmpty() && slot.hasRoom(policy.inFlightPerInstance()) ? queue.pollFirst() : null;
    }

    /** Removes and returns the queued requests whose deadline is not after {@code now}. */
    List<Invocation> takeOverdue(Instant now) {
        lock.assertHeld();
        List<Invocation> overdue = new ArrayList<>();
        queue.removeIf(invocation -> {
            boolean late = !now.isBefore(invocation.deadline());
            if (late) {
                overdue.add(invocation);
            }
            return late;
        });
        if (!overdue.isEmpty()) {
            observe(now);
            settle();
        }
        return overdue;
    }

    /** The admission number of the oldest queued request, for serving models in arrival order. */
    long oldestWaiting() {
        Invocation head = queue.peekFirst();
        return head == null ? Long.MAX_VALUE : head.admittedSequence();
    }

    /** Takes every queued request and every explicit wake out; the gate no longer waits for a placement. */
    Waiting takeAllWaiting() {
        lock.assertHeld();
        Waiting waiting = new Waiting(List.copyOf(queue), takeWakeWaiters());
        queue.clear();
        placement.stop();
        return waiting;
    }

    // ---- explicit wakes ----

    /** A new explicit wake, completed when an instance becomes READY (or failed with the reason it cannot). */
    CompletableFuture<Void> awaitWake() {
        lock.assertHeld();
        assert !retiring : "a retiring version takes no wake";
        CompletableFuture<Void> wake = new CompletableFuture<>();
        wakeWaiters.add(wake);
        return wake;
    }

    boolean hasWakeWaiters() {
        return !wakeWaiters.isEmpty();
    }

    List<CompletableFuture<Void>> takeWakeWaiters() {
        lock.assertHeld();
        List<CompletableFuture<Void>> taken = List.copyOf(wakeWaiters);
        wakeWaiters.clear();
        return taken;
    }

    // ---- instances ----

    /** The instances in service or on their way (LOADING, READY, DRAINING), read-only; copy it to drain. */
    List<InstanceSlot> slots() {
        lock.assertHeld();
        return slotsView;
    }

    boolean holds(InstanceSlot slot) {
        return slots.contains(slot);
    }

    void add(InstanceSlot slot) {
        lock.assertHeld();
        assert !retiring : "a retiring version gets no instance";
        slots.add(slot);
    }

    /** Takes an instance out of the gate (it is stopping); returns whether it was here. */
    boolean remove(InstanceSlot slot) {
        lock.assertHeld();
        return slots.remove(slot);
    }

    /** Takes every instance out (the pool shuts down). */
    List<InstanceSlot> takeAllSlots() {
        lock.assertHeld();
        List<InstanceSlot> taken = List.copyOf(slots);
        slots.clear();
        return taken;
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

    /** The first READY instance, else the first LOADING one: what an explicit wake waits for. */
    Optional<InstanceSlot> readyOrLoading() {
        return slots.stream().filter(InstanceSlot::isReady).findFirst()
                .or(() -> slots.stream().filter(InstanceSlot::isLoading).findFirst());
    }

    /** Whether an instance is READY or on its way there: capacity exists or is coming. */
    boolean hasLiveCapacity() {
        return liveCount() > 0;
    }

    long readyCount() {
        return slots.stream().filter(InstanceSlot::isReady).count();
    }

    int liveCount() {
        return (int) slots.stream().filter(slot -> slot.isReady() || slot.isLoading()).count();
    }

    /** Whether requests are queued or running here. */
    boolean isBusy() {
        return !queue.isEmpty() || slots.stream().anyMatch(slot -> slot.inFlight() > 0);
    }

    // ---- demand and the autoscaler's memory ----

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

    /** Closes the demand window's current bucket (an autoscaler tick), keeping {@code keep} of history. */
    void closeDemandBucket(Instant now, Duration keep) {
        lock.assertHeld();
        demand.tick(now, keep);
    }

    /** The average demand over the buckets closed within {@code window} of {@code now}. */
    double averageDemand(Instant now, Duration window) {
        return demand.average(now, window);
    }

    ScaleDecider.State scaleState() {
        return scale;
    }

    void rememberScale(ScaleDecider.State state) {
        lock.assertHeld();
        this.scale = state;
    }

    // ---- loads and their backoff ----

    void loadSucceeded() {
        lock.assertHeld();
        backoff.recordSuccess();
    }

    void loadFailed(String reason, Instant now) {
        lock.assertHeld();
        backoff.recordFailure(reason, now);
    }

    boolean backoffBlocks(Instant now) {
        return backoff.blocks(now);
    }

    /** The refusal while the load backoff blocks: the last load's reason, and when the next attempt may come. */
    TorporException loadFailure(Instant now) {
        return backoff.refusal(id, now);
    }

    /** The unrecovered load failure, if the last load failed. */
    Optional<LoadFailureView> failureView() {
        return backoff.view(id.version());
    }

    /**
     * A GPU instance of this version failed to load. When the version allows any device and has not fallen
     * back yet, it falls back to the CPU from now on and this returns true; otherwise it is an ordinary failure.
     */
    boolean fallBackFromGpu(InstanceSlot failed) {
        lock.assertHeld();
        if (failed.device().isGpu() && policy.device() == DevicePreference.ANY && !gpuFailed) {
            gpuFailed = true;
            return true;
        }
        return false;
    }

    /** Whether a placement may still choose a GPU ({@code false} once a GPU load failed and it fell back). */
    boolean gpuAllowed() {
        return !gpuFailed;
    }

    // ---- waiting for a placement ----

    /** Whether it waits for a placement, why, and for which evictions. */
    PlacementWait placement() {
        return placement;
    }

    /** Whether this version should get its first instance now: none live or coming, none pending, no backoff. */
    boolean needsFirstInstance(Instant now) {
        return !hasLiveCapacity() && !placement.isWaiting() && !backoffBlocks(now);
    }

    /** A gate with nothing waiting (queue, evictions, wakes) no longer waits for a placement. */
    void settle() {
        lock.assertHeld();
        if (queue.isEmpty() && !placement.awaitsEvictions() && wakeWaiters.isEmpty()) {
            placement.stop();
        }
    }

    // ---- retirement ----

    /**
     * The version was deleted: from now on the gate takes nothing new. Returns what was waiting, for the caller
     * to fail after the lock; the caller drains the instances.
     */
    Waiting retire() {
        lock.assertHeld();
        retiring = true;
        return takeAllWaiting();
    }

    boolean isRetiring() {
        return retiring;
    }
}
