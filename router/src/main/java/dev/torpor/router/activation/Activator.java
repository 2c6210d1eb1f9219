package dev.torpor.router.activation;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.pool.Device;
import dev.torpor.pool.InstanceIds;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.Placement;
import dev.torpor.pool.PlacementDecision;
import dev.torpor.pool.PlacementRequest;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.pool.PooledInstance;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits requests and gives them capacity within the pool. A model version with a READY instance that has
 * room runs the request at once; otherwise the request waits in the version's bounded queue while one instance
 * is placed and loads (a cold model is simply one whose instances offer zero capacity). {@link Placement}
 * chooses the device within the operators' limits, or names idle instances of other models to evict first,
 * or says to wait (capacity freeing anywhere retries waiting models in arrival order), or refuses (503).
 * The {@link Autoscaler} adds and drains instances from measured demand; the {@link Reaper} takes idle ones
 * to zero.
 *
 * <p>Thread-safe: all of the pool's book-keeping (every gate, and the instances still stopping) is guarded by
 * one lock, so a placement sees the whole pool; engine calls, instance stops and future completions happen
 * outside it. Time comes from the injected clock, so queueing, deadlines, scaling and the reaper are tested
 * without sleeping.
 */
public final class Activator {
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    private static final Duration QUEUE_FULL_RETRY = Duration.ofSeconds(1);
    private static final Duration NO_PLACEMENT_RETRY = Duration.ofSeconds(5);

    /** Guards every gate's state and {@link #stopping}. */
    final Object lock = new Object();
    private final ConcurrentMap<ModelId, ModelGate> gates = new ConcurrentHashMap<>();
    /** Instances taken out of their gate that have not yet stopped: they still hold their device's memory. */
    private final Map<InstanceSlot, ModelGate> stopping = new LinkedHashMap<>();
    private final Launcher launcher;
    private final Supplier<List<Device>> devices;
    private final Supplier<PoolLimits> limits;
    private final Clock clock;
    private final ExecutorService stopper = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "instance-stopper");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean shuttingDown;
    /** Orders admissions against instances becoming READY, to tell cold requests from warm ones exactly. */
    private final AtomicLong events = new AtomicLong();

    /** An activator with no limits beyond the devices. */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Clock clock) {
        this(launcher, devices, () -> PoolLimits.UNLIMITED, clock);
    }

    /**
     * @param devices every device of the pool, the CPU included
     * @param limits  the operators' current limits, read at every placement
     */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Supplier<PoolLimits> limits, Clock clock) {
        this.launcher = launcher;
        this.devices = devices;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Admits one request for a published version. Never blocks: the result arrives on
     * {@link Invocation#result()}, failed with {@link QueueFull}, {@link ModelLoadFailed},
     * {@link CapacityExhausted}, {@link DeadlineExceeded} or the engine's error.
     */
    public void submit(ModelManifest manifest, Path artifact, ServingPolicy policy, Invocation invocation) {
        ModelGate gate = gates.computeIfAbsent(manifest.id(), ModelGate::new);
        List<Runnable> actions = new ArrayList<>();
        TorporException refusal = null;
        synchronized (lock) {
            gate.update(manifest, artifact, policy);
            Instant now = clock.instant();
            gate.observe(now);
            invocation.admitted(events.incrementAndGet(), now);
            var slot = gate.queue.isEmpty() ? gate.roomiest() : Optional.<InstanceSlot>empty();
            if (shuttingDown) {
                refusal = new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5));
            } else if (slot.isPresent()) {
                actions.add(dispatch(gate, slot.get(), invocation, now));
            } else if (gate.queue.size() >= policy.maxQueue() || queuedTotalLocked() >= limits.get().queuedTotal()) {
                refusal = gate.queue.size() >= policy.maxQueue()
                        ? new QueueFull("the queue of model " + manifest.id() + " is full (maxQueue "
                        + policy.maxQueue() + ")", QUEUE_FULL_RETRY)
                        : new QueueFull("the pool's queue is full (maxQueuedTotal " + limits.get().queuedTotal() + ")",
                        QUEUE_FULL_RETRY);
                if (needsFirstInstance(gate, now)) {
                    actions.add(place(gate).action()); // so that the retry the 429 asks for finds capacity
                }
            } else if (!gate.hasLiveCapacity() && gate.backoff.blocks(now)) {
                refusal = loadFailure(gate, now);
            } else {
                gate.queue.addLast(invocation);
                if (needsFirstInstance(gate, now)) {
                    actions.add(place(gate).action());
                }
            }
            gate.observe(now);
        }
        if (refusal != null) {
            invocation.fail(refusal);
        }
        actions.forEach(Runnable::run);
    }

    private static boolean needsFirstInstance(ModelGate gate, Instant now) {
        return !gate.hasLiveCapacity() && !gate.awaitingPlacement && !gate.backoff.blocks(now);
    }

    /** The client went away: a queued request leaves the queue, a running one has its engine call stopped. */
    public void cancel(ModelId id, Invocation invocation) {
        ModelGate gate = gates.get(id);
        if (gate == null) {
            return;
        }
        boolean wasQueued;
        synchronized (lock) {
            invocation.markCancelled();
            wasQueued = gate.queue.remove(invocation);
            gate.observe(clock.instant());
            settleIfNothingWaits(gate);
        }
        if (wasQueued) {
            invocation.fail(new RequestCancelled("the client went away while the request was queued"));
        } else {
            invocation.control().cancel();
        }
    }

    /** A gate whose queue emptied no longer waits for a placement (the next request places afresh). */
    private static void settleIfNothingWaits(ModelGate gate) {
        if (gate.queue.isEmpty() && gate.awaitingStops.isEmpty() && gate.wakeWaiters.isEmpty()) {
            gate.awaitingPlacement = false;
        }
    }

    /**
     * Fails queued requests whose deadline has passed (504) and stops the engine calls of running ones.
     * Called often by the ticker; cheap when nothing is due.
     */
    public void expireOverdue(Instant now) {
        Map<Invocation, String> overdue = new LinkedHashMap<>();
        List<Invocation> lateRunning = new ArrayList<>();
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                List<Invocation> late = gate.takeOverdue(now);
                if (!late.isEmpty()) {
                    String why = gate.awaitingPlacement && gate.waitReason != null ? " (no capacity: " + gate.waitReason
                            + ")" : "";
                    late.forEach(invocation -> overdue.put(invocation, why));
                    gate.observe(now);
                    settleIfNothingWaits(gate);
                }
                for (InstanceSlot slot : gate.slots) {
                    for (Invocation running : slot.running()) {
                        if (!now.isBefore(running.deadline())) {
                            running.markTimedOut();
                            lateRunning.add(running);
                        }
                    }
                }
            }
        }
        overdue.forEach((invocation, why) -> invocation.fail(new DeadlineExceeded("the request's deadline of "
                + Duration.between(invocation.arrivedAt(), invocation.deadline()).toMillis()
                + " ms passed while it waited for capacity" + why)));
        lateRunning.forEach(invocation -> invocation.control().cancel());
    }

    /**
     * Wakes a version now (the repository's {@code load}): starts an instance unless one is READY or loading,
     * ignoring any load backoff; evicts idle instances of other models if the pool needs room. Completes when an
     * instance is READY; fails with the load's reason, or with {@link CapacityExhausted} when the pool has no
     * room that could be freed.
     */
    public CompletableFuture<Void> wake(ModelManifest manifest, Path artifact, ServingPolicy policy) {
        ModelGate gate = gates.computeIfAbsent(manifest.id(), ModelGate::new);
        Runnable start = () -> { };
        InstanceSlot target;
        CompletableFuture<Void> waiter = null;
        synchronized (lock) {
            gate.update(manifest, artifact, policy);
            if (shuttingDown) {
                return CompletableFuture.failedFuture(new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5)));
            }
            target = gate.slots.stream().filter(InstanceSlot::isReady).findFirst()
                    .or(() -> gate.slots.stream().filter(InstanceSlot::isLoading).findFirst())
                    .orElse(null);
            if (target == null) {
                Step step = gate.awaitingPlacement ? null : place(gate);
                if (step != null) {
                    start = step.action();
                    target = step.launched();
                }
                if (target == null) {
                    if (step != null && step.decision() instanceof PlacementDecision.Refuse refuse) {
                        waiter = CompletableFuture.failedFuture(noPlacement(refuse.reason()));
                    } else if (!gate.awaitingStops.isEmpty()) {
                        waiter = new CompletableFuture<>();
                        gate.wakeWaiters.add(waiter);
                    } else {
                        waiter = CompletableFuture.failedFuture(new CapacityExhausted("no capacity for " + gate.id
                                + " now: " + gate.waitReason, NO_PLACEMENT_RETRY));
                        gate.awaitingPlacement = false;
                    }
                }
            }
        }
        start.run();
        if (waiter != null) {
            return waiter;
        }
        return target.instance().load().handle((took, failure) -> {
            if (failure != null) {
                Throwable cause = unwrap(failure);
                throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
            }
            return null;
        });
    }

    /**
     * Scales a version to zero now: its instances drain (they take nothing new and stop once their requests
     * in flight finish). Requests still queued start a fresh instance, so none is dropped. Completes when
     * every drained instance has stopped.
     */
    public CompletableFuture<Void> scaleToZero(ModelId id) {
        ModelGate gate = gates.get(id);
        if (gate == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<InstanceSlot> stopNow = new ArrayList<>();
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        Runnable restart = () -> { };
        synchronized (lock) {
            for (InstanceSlot slot : List.copyOf(gate.slots)) {
                stopped.add(slot.stopped());
                if (drain(gate, slot)) {
                    stopNow.add(slot);
                }
            }
            if (!gate.queue.isEmpty() && !shuttingDown && !gate.awaitingPlacement) {
                restart = place(gate).action();
            }
        }
        stopNow.forEach(this::stop);
        restart.run();
        return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
    }

    /**
     * Applies a changed config to a version that already has a gate, so the reaper, the autoscaler and the queue
     * see it before the next request does (e.g. a lowered {@code minInstances} lets the reaper scale to zero).
     */
    public void updatePolicy(ModelId id, ServingPolicy policy) {
        ModelGate gate = gates.get(id);
        if (gate != null) {
            synchronized (lock) {
                gate.policy = policy;
            }
        }
    }

    /**
     * Applies changed limits at once: instances over a lowered limit drain (idle ones first; a busy one finishes
     * its requests in flight, then stops), and capacity a raised limit opens serves waiting requests now.
     */
    public void limitsChanged() {
        List<InstanceSlot> stopNow = new ArrayList<>();
        synchronized (lock) {
            List<String> surplus = Placement.surplus(snapshotLocked(), limits.get());
            for (String id : surplus) {
                for (ModelGate gate : gates.values()) {
                    for (InstanceSlot slot : List.copyOf(gate.slots)) {
                        if (slot.instance().id().equals(id) && drain(gate, slot)) {
                            stopNow.add(slot);
                        }
                    }
                }
            }
            if (!surplus.isEmpty()) {
                LOG.info("pool limits lowered: draining {}", surplus);
            }
        }
        stopNow.forEach(this::stop);
        capacityFreed();
    }

    /** Instances and failures of every version of a model, for the repository and pool views. */
    public List<InstanceView> instances(String model) {
        List<InstanceView> views = new ArrayList<>();
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                if (gate.id.name().equals(model)) {
                    gate.slots.forEach(slot -> views.add(InstanceView.of(gate.id, slot)));
                }
            }
        }
        return views;
    }

    /** Every instance of every model that is LOADING, READY or DRAINING, oldest first. */
    public List<InstanceView> allInstances() {
        List<InstanceView> views = new ArrayList<>();
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                gate.slots.forEach(slot -> views.add(InstanceView.of(gate.id, slot)));
            }
        }
        views.sort(Comparator.comparing(InstanceView::startedAt, Comparator.nullsLast(Comparator.naturalOrder())));
        return views;
    }

    /** The pool as placement sees it: devices, and every instance holding capacity (stopping ones too). */
    public PoolState poolState() {
        synchronized (lock) {
            return snapshotLocked();
        }
    }

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

    public PoolLimits limits() {
        return limits.get();
    }

    /** The most recent unrecovered load failure among a model's versions, if any. */
    public Optional<LoadFailureView> lastLoadFailure(String model) {
        LoadFailureView latest = null;
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                if (gate.id.name().equals(model) && gate.backoff.hasFailed() && (latest == null
                        || gate.backoff.lastFailureAt().isAfter(latest.at()))) {
                    latest = new LoadFailureView(gate.id.version(), gate.backoff.lastReason(),
                            gate.backoff.lastFailureAt(), gate.backoff.consecutiveFailures(),
                            gate.backoff.retryNotBefore());
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Requests waiting for capacity across every model. */
    public int queuedTotal() {
        synchronized (lock) {
            return queuedTotalLocked();
        }
    }

    private int queuedTotalLocked() {
        int total = 0;
        for (ModelGate gate : gates.values()) {
            total += gate.queue.size();
        }
        return total;
    }

    Collection<ModelGate> gates() {
        return gates.values();
    }

    Clock clock() {
        return clock;
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Stops admitting, waits up to {@code grace} for queued and running requests to finish, fails what is
     * left with 503 and stops every instance.
     */
    public void shutdown(Duration grace) {
        shuttingDown = true;
        long until = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < until && busy()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Invocation> left = new ArrayList<>();
        List<InstanceSlot> slots = new ArrayList<>();
        List<CompletableFuture<Void>> wakes = new ArrayList<>();
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                left.addAll(gate.queue);
                gate.queue.clear();
                slots.addAll(gate.slots);
                gate.slots.clear();
                wakes.addAll(gate.wakeWaiters);
                gate.wakeWaiters.clear();
            }
        }
        ShuttingDown down = new ShuttingDown("Torpor shut down before the request ran", null);
        left.forEach(invocation -> invocation.fail(down));
        wakes.forEach(wake -> wake.completeExceptionally(down));
        slots.forEach(slot -> {
            slot.instance().stop();
            slot.stopped().complete(null);
        });
    }

    private boolean busy() {
        synchronized (lock) {
            for (ModelGate gate : gates.values()) {
                if (!gate.queue.isEmpty() || gate.slots.stream().anyMatch(slot -> slot.inFlight() > 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- under the lock: decide, and return what to do once the lock is released ----

    private Runnable dispatch(ModelGate gate, InstanceSlot slot, Invocation invocation, Instant now) {
        slot.begin(invocation);
        invocation.dispatched(now, slot);
        return () -> slot.instance().infer(invocation.request(), invocation.control())
                .whenComplete((outcome, failure) -> finished(gate, slot, invocation, outcome, failure));
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
        PlacementDecision decision = Placement.place(request, snapshotLocked(), limits.get());
        if (decision instanceof PlacementDecision.Place place && place.fitsNow()) {
            gate.awaitingPlacement = false;
            gate.waitReason = null;
            return launch(gate, place.device(), decision);
        }
        if (decision instanceof PlacementDecision.Place place) {
            gate.awaitingPlacement = true;
            gate.waitReason = "evicting " + place.evict() + " to make room";
            List<InstanceSlot> victims = new ArrayList<>();
            for (ModelGate other : gates.values()) {
                for (InstanceSlot slot : List.copyOf(other.slots)) {
                    if (place.evict().contains(slot.instance().id()) && drain(other, slot)) {
                        victims.add(slot);
                    }
                }
            }
            gate.awaitingStops.addAll(victims);
            LOG.info("evicting {} to place {} on {}", place.evict(), gate.id, place.device().id());
            return new Step(() -> victims.forEach(this::stop), null, decision);
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
        gate.observe(clock.instant());
        TorporException refused = noPlacement(refuse.reason());
        List<CompletableFuture<Void>> wakes = new ArrayList<>(gate.wakeWaiters);
        gate.wakeWaiters.clear();
        return new Step(() -> {
            waiting.forEach(invocation -> invocation.fail(refused));
            wakes.forEach(wake -> wake.completeExceptionally(refused));
        }, null, decision);
    }

    private static CapacityExhausted noPlacement(String reason) {
        return new CapacityExhausted("no placement is possible: " + reason, NO_PLACEMENT_RETRY);
    }

    private Step launch(ModelGate gate, Device device, PlacementDecision decision) {
        ServingPolicy policy = gate.policy;
        String instanceId = InstanceIds.next(gate.id.name(), gate.id.version());
        FunctionInstance instance = launcher.launch(new LaunchSpec(instanceId, gate.manifest, gate.artifact, device,
                policy.runtime(), policy.concurrencyPerInstance(), policy.memoryMb()));
        InstanceSlot slot = new InstanceSlot(instance, device, policy.memoryMb());
        gate.slots.add(slot);
        return new Step(() -> instance.load().whenComplete((took, failure) -> loaded(gate, slot, took, failure)),
                slot, decision);
    }

    /**
     * Takes an instance out of service: it takes nothing new. Returns true when it is idle and has been moved to
     * {@link #stopping} (the caller then {@link #stop}s it after the lock); a busy one stops when its last
     * request finishes.
     */
    boolean drain(ModelGate gate, InstanceSlot slot) {
        if (!slot.isDraining()) {
            slot.markDraining();
        }
        if (slot.inFlight() == 0) {
            retire(gate, slot);
            return true;
        }
        return false;
    }

    /** Moves an instance from its gate to {@link #stopping}; it holds its capacity until it has stopped. */
    void retire(ModelGate gate, InstanceSlot slot) {
        if (gate.slots.remove(slot)) {
            stopping.put(slot, gate);
        }
    }

    private TorporException loadFailure(ModelGate gate, Instant now) {
        Duration wait = gate.backoff.remaining(now);
        return new ModelLoadFailed("model " + gate.id + " failed to load: " + gate.backoff.lastReason()
                + " (next attempt in " + Math.max(1, (wait.toMillis() + 999) / 1000) + " s)", wait);
    }

    // ---- completions, called on instance threads ----

    private void loaded(ModelGate gate, InstanceSlot slot, Duration took, Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        List<Invocation> failed = new ArrayList<>();
        List<CompletableFuture<Void>> wakes = new ArrayList<>();
        TorporException reason = null;
        boolean stopSlot = false;
        synchronized (lock) {
            Instant now = clock.instant();
            if (!gate.slots.contains(slot) || slot.isDraining()) {
                return; // drained while loading; whoever drained it stops it
            }
            if (failure == null) {
                slot.ready(now, took, events.incrementAndGet());
                gate.backoff.recordSuccess();
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.concurrencyPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
                wakes.addAll(gate.wakeWaiters);
                gate.wakeWaiters.clear();
            } else {
                slot.markDraining();
                retire(gate, slot);
                stopSlot = true;
                String why = unwrap(failure).getMessage();
                if (slot.device().isGpu() && gate.policy.device().equals("any") && !gate.gpuFailed) {
                    // The GPU could not start it; the model allows any device, so it goes to the CPU instead.
                    gate.gpuFailed = true;
                    LOG.warn("{} could not start on {} ({}); placing it on the CPU instead", gate.id, slot.device().id(), why);
                    if (!gate.hasLiveCapacity() && (!gate.queue.isEmpty() || !gate.wakeWaiters.isEmpty())) {
                        Step step = place(gate);
                        actions.add(step.action());
                        if (step.launched() != null && !gate.wakeWaiters.isEmpty()) {
                            List<CompletableFuture<Void>> waiting = new ArrayList<>(gate.wakeWaiters);
                            gate.wakeWaiters.clear();
                            InstanceSlot next = step.launched();
                            actions.add(() -> next.instance().load().whenComplete((ok, again) -> waiting.forEach(
                                    wake -> complete(wake, again))));
                        }
                    }
                } else {
                    gate.backoff.recordFailure(why, now);
                    if (!gate.hasLiveCapacity()) {
                        reason = loadFailure(gate, now);
                        failed.addAll(gate.queue);
                        gate.queue.clear();
                        wakes.addAll(gate.wakeWaiters);
                        gate.wakeWaiters.clear();
                        gate.awaitingPlacement = false;
                    }
                }
            }
            gate.observe(now);
        }
        if (stopSlot) {
            stop(slot);
        }
        for (Invocation invocation : failed) {
            invocation.fail(reason);
        }
        Throwable wakeFailure = reason != null ? reason : null;
        wakes.forEach(wake -> complete(wake, wakeFailure));
        actions.forEach(Runnable::run);
    }

    private static void complete(CompletableFuture<Void> wake, Throwable failure) {
        if (failure == null) {
            wake.complete(null);
        } else {
            wake.completeExceptionally(unwrap(failure));
        }
    }

    private void finished(ModelGate gate, InstanceSlot slot, Invocation invocation, InferenceOutcome outcome,
                          Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        boolean stopSlot = false;
        synchronized (lock) {
            Instant now = clock.instant();
            slot.end(invocation, now);
            if (slot.isDraining()) {
                if (slot.inFlight() == 0 && gate.slots.contains(slot)) {
                    retire(gate, slot);
                    stopSlot = true;
                }
            } else {
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.concurrencyPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
            }
            gate.observe(now);
        }
        // Hand the instance its next request before this one's answer is encoded and billed.
        actions.forEach(Runnable::run);
        invocation.settle(outcome, unwrap(failure));
        if (stopSlot) {
            stop(slot);
        }
    }

    /**
     * Stops an instance already {@link #retire}d, on the stopper thread (the caller may be one of the instance's
     * own threads, which its stop waits for); once stopped, its capacity serves waiting models.
     */
    void stop(InstanceSlot slot) {
        stopper.execute(() -> {
            try {
                slot.instance().stop();
            } finally {
                slot.stopped().complete(null);
                synchronized (lock) {
                    stopping.remove(slot);
                    for (ModelGate gate : gates.values()) {
                        gate.awaitingStops.remove(slot);
                    }
                }
                capacityFreed();
            }
        });
    }

    /**
     * Capacity freed (an instance stopped, or limits were raised): models waiting for a placement are retried in
     * the order their oldest request arrived; a model still waiting for its evictions to stop is skipped.
     */
    void capacityFreed() {
        List<Runnable> actions = new ArrayList<>();
        synchronized (lock) {
            if (shuttingDown) {
                return;
            }
            List<ModelGate> waiting = gates.values().stream()
                    .filter(gate -> gate.awaitingPlacement && gate.awaitingStops.isEmpty())
                    .sorted(Comparator.comparingLong(ModelGate::oldestWaiting))
                    .toList();
            for (ModelGate gate : waiting) {
                gate.awaitingPlacement = false;
                boolean wanted = !gate.queue.isEmpty() || !gate.wakeWaiters.isEmpty() && !gate.hasLiveCapacity();
                if (!wanted) {
                    continue;
                }
                Step step = place(gate);
                actions.add(step.action());
                if (step.launched() != null && !gate.wakeWaiters.isEmpty()) {
                    List<CompletableFuture<Void>> wakes = new ArrayList<>(gate.wakeWaiters);
                    gate.wakeWaiters.clear();
                    InstanceSlot next = step.launched();
                    actions.add(() -> next.instance().load().whenComplete((ok, failure) -> wakes.forEach(
                            wake -> complete(wake, failure))));
                }
            }
        }
        actions.forEach(Runnable::run);
    }

    /** The cause a {@link CompletionException} wraps, or the failure itself. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
