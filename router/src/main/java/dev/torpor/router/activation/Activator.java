package dev.torpor.router.activation;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.pool.Device;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.Placement;
import dev.torpor.pool.PlacementDecision;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * <p>This class is the pool's entry point: admission ({@link #submit}, {@link #cancel}, {@link #expireOverdue})
 * and explicit control ({@link #wake}, {@link #scaleToZero}, {@link #updatePolicy}, {@link #limitsChanged}).
 * The rest is delegated to parts that share one {@link PoolBook}: {@link Placer} (place, launch, drain),
 * {@link Completions} (dispatch, and what instances report: loaded, finished, stopped, capacity freed),
 * {@link PoolViews} (read-only snapshots) and {@link PoolShutdown}.
 *
 * <p>Thread-safe: all of the pool's book-keeping (every gate, and the instances still stopping) is guarded by
 * one lock, {@link PoolBook#lock}, so a placement sees the whole pool; engine calls, instance stops and future
 * completions happen outside it. Every method here decides under that lock and acts after releasing it. Time
 * comes from the injected clock, so queueing, deadlines, scaling and the reaper are tested without sleeping.
 */
public final class Activator {
    /** Whether the launcher's instances honour dynamic batching; when not, a policy's batching is dropped. */
    private final boolean launcherBatches;

    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    private static final Duration QUEUE_FULL_RETRY = Duration.ofSeconds(1);

    private final PoolBook book;
    private final Placer placer;
    private final Completions completions;
    private final PoolViews views;
    private final PoolShutdown shutdown;
    /** The pool's one lock ({@link PoolBook#lock}), which the {@link Reaper} and {@link Autoscaler} decide under. */
    final Object lock;

    /** An activator with no limits beyond the devices. */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Clock clock) {
        this(launcher, devices, () -> PoolLimits.UNLIMITED, clock);
    }

    /**
     * @param devices every device of the pool, the CPU included
     * @param limits  the operators' current limits, read at every placement
     */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Supplier<PoolLimits> limits, Clock clock) {
        this.book = new PoolBook(devices, limits, clock);
        this.placer = new Placer(book, launcher);
        this.launcherBatches = launcher.batches();
        this.completions = placer.completions();
        this.views = new PoolViews(book);
        this.shutdown = new PoolShutdown(book);
        this.lock = book.lock;
    }

    /**
     * Admits one request for a published version. Never blocks: the result arrives on
     * {@link Invocation#result()}, failed with {@link QueueFull}, {@link ModelLoadFailed},
     * {@link CapacityExhausted}, {@link DeadlineExceeded} or the engine's error.
     */
    /**
     * The policy as this pool applies it: dynamic batching only where the launcher's instances batch and the
     * model can be batched (every input and output with a dynamic first dimension); else off, so that an
     * instance is never handed more requests than it runs at once.
     */
    private ServingPolicy fit(ServingPolicy policy, ModelManifest manifest) {
        if (!policy.batching().enabled()
                || (launcherBatches && dev.torpor.function.Batcher.batchable(manifest.signature()))) {
            return policy;
        }
        return new ServingPolicy(policy.device(), policy.memoryMb(), policy.minInstances(), policy.maxInstances(),
                policy.concurrencyPerInstance(), policy.idleTimeout(), policy.maxQueue(), policy.requestTimeout(),
                policy.runtime());
    }

    public void submit(ModelManifest manifest, Path artifact, ServingPolicy requested, Invocation invocation) {
        ServingPolicy policy = fit(requested, manifest);
        ModelGate gate = book.gateFor(manifest.id());
        List<Runnable> actions = new ArrayList<>();
        TorporException refusal = null;
        synchronized (book.lock) {
            gate.update(manifest, artifact, policy);
            Instant now = book.clock().instant();
            gate.observe(now);
            invocation.admitted(book.nextEvent(), now);
            var slot = gate.queue.isEmpty() ? gate.roomiest() : Optional.<InstanceSlot>empty();
            if (book.isShuttingDown()) {
                refusal = new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5));
            } else if (slot.isPresent()) {
                actions.add(completions.dispatch(gate, slot.get(), invocation, now));
            } else if (gate.queue.size() >= policy.maxQueue()
                    || book.queuedTotalLocked() >= book.limits().queuedTotal()) {
                refusal = gate.queue.size() >= policy.maxQueue()
                        ? new QueueFull("the queue of model " + manifest.id() + " is full (maxQueue "
                        + policy.maxQueue() + ")", QUEUE_FULL_RETRY)
                        : new QueueFull("the pool's queue is full (maxQueuedTotal " + book.limits().queuedTotal() + ")",
                        QUEUE_FULL_RETRY);
                if (needsFirstInstance(gate, now)) {
                    actions.add(placer.place(gate).action()); // so that the retry the 429 asks for finds capacity
                }
            } else if (!gate.hasLiveCapacity() && gate.backoff.blocks(now)) {
                refusal = gate.loadFailure(now);
            } else {
                gate.queue.addLast(invocation);
                if (needsFirstInstance(gate, now)) {
                    actions.add(placer.place(gate).action());
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
        ModelGate gate = book.existingGate(id);
        if (gate == null) {
            return;
        }
        boolean wasQueued;
        synchronized (book.lock) {
            invocation.markCancelled();
            wasQueued = gate.queue.remove(invocation);
            gate.observe(book.clock().instant());
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
        synchronized (book.lock) {
            for (ModelGate gate : book.gates()) {
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
    public CompletableFuture<Void> wake(ModelManifest manifest, Path artifact, ServingPolicy requested) {
        ServingPolicy policy = fit(requested, manifest);
        ModelGate gate = book.gateFor(manifest.id());
        Runnable start = () -> { };
        InstanceSlot target;
        CompletableFuture<Void> waiter = null;
        synchronized (book.lock) {
            gate.update(manifest, artifact, policy);
            if (book.isShuttingDown()) {
                return CompletableFuture.failedFuture(new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5)));
            }
            target = gate.slots.stream().filter(InstanceSlot::isReady).findFirst()
                    .or(() -> gate.slots.stream().filter(InstanceSlot::isLoading).findFirst())
                    .orElse(null);
            if (target == null) {
                Placer.Step step = gate.awaitingPlacement ? null : placer.place(gate);
                if (step != null) {
                    start = step.action();
                    target = step.launched();
                }
                if (target == null) {
                    if (step != null && step.decision() instanceof PlacementDecision.Refuse refuse) {
                        waiter = CompletableFuture.failedFuture(Placer.noPlacement(refuse.reason()));
                    } else if (!gate.awaitingStops.isEmpty()) {
                        waiter = new CompletableFuture<>();
                        gate.wakeWaiters.add(waiter);
                    } else {
                        waiter = CompletableFuture.failedFuture(new CapacityExhausted("no capacity for " + gate.id
                                + " now: " + gate.waitReason, Placer.NO_PLACEMENT_RETRY));
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
        ModelGate gate = book.existingGate(id);
        if (gate == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<InstanceSlot> stopNow = new ArrayList<>();
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        Runnable restart = () -> { };
        synchronized (book.lock) {
            for (InstanceSlot slot : List.copyOf(gate.slots)) {
                stopped.add(slot.stopped());
                if (placer.drain(gate, slot)) {
                    stopNow.add(slot);
                }
            }
            if (!gate.queue.isEmpty() && !book.isShuttingDown() && !gate.awaitingPlacement) {
                restart = placer.place(gate).action();
            }
        }
        stopNow.forEach(completions::stop);
        restart.run();
        return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
    }

    /**
     * Applies a changed config to a version that already has a gate, so the reaper, the autoscaler and the queue
     * see it before the next request does (e.g. a lowered {@code minInstances} lets the reaper scale to zero).
     */
    public void updatePolicy(ModelId id, ServingPolicy policy) {
        ModelGate gate = book.existingGate(id);
        if (gate != null) {
            synchronized (book.lock) {
                gate.policy = gate.manifest == null ? policy : fit(policy, gate.manifest);
            }
        }
    }

    /**
     * Applies changed limits at once: instances over a lowered limit drain (idle ones first; a busy one finishes
     * its requests in flight, then stops), and capacity a raised limit opens serves waiting requests now.
     */
    public void limitsChanged() {
        List<InstanceSlot> stopNow = new ArrayList<>();
        synchronized (book.lock) {
            List<String> surplus = Placement.surplus(book.snapshotLocked(), book.limits());
            for (String id : surplus) {
                for (ModelGate gate : book.gates()) {
                    for (InstanceSlot slot : List.copyOf(gate.slots)) {
                        if (slot.instance().id().equals(id) && placer.drain(gate, slot)) {
                            stopNow.add(slot);
                        }
                    }
                }
            }
            if (!surplus.isEmpty()) {
                LOG.info("pool limits lowered: draining {}", surplus);
            }
        }
        stopNow.forEach(completions::stop);
        completions.capacityFreed();
    }

    /** Instances and failures of every version of a model, for the repository and pool views. */
    public List<InstanceView> instances(String model) {
        return views.instances(model);
    }

    /** Every instance of every model that is LOADING, READY or DRAINING, oldest first. */
    public List<InstanceView> allInstances() {
        return views.allInstances();
    }

    /** The pool as placement sees it: devices, and every instance holding capacity (stopping ones too). */
    public PoolState poolState() {
        return views.poolState();
    }

    public PoolLimits limits() {
        return book.limits();
    }

    /** The most recent unrecovered load failure among a model's versions, if any. */
    public Optional<LoadFailureView> lastLoadFailure(String model) {
        return views.lastLoadFailure(model);
    }

    /** Requests waiting for capacity across every model. */
    public int queuedTotal() {
        return views.queuedTotal();
    }

    /**
     * Stops admitting, waits up to {@code grace} for queued and running requests to finish, fails what is
     * left with 503 and stops every instance.
     */
    public void shutdown(Duration grace) {
        shutdown.shutdown(grace);
    }

    // ---- for the Reaper and the Autoscaler, which decide under the lock ----

    Collection<ModelGate> gates() {
        return book.gates();
    }

    boolean isShuttingDown() {
        return book.isShuttingDown();
    }

    /** Under the lock: see {@link Placer#place}. */
    Placer.Step place(ModelGate gate) {
        return placer.place(gate);
    }

    /** Under the lock: see {@link Placer#drain}. */
    boolean drain(ModelGate gate, InstanceSlot slot) {
        return placer.drain(gate, slot);
    }

    /** After the lock: see {@link Completions#stop}. */
    void stop(InstanceSlot slot) {
        completions.stop(slot);
    }

    /**
     * Registers who is told of each instance that has stopped, with its final counters (billing's
     * reconciliation keeps them). One listener; called on the stopper thread, outside the lock.
     */
    public void onInstanceStopped(java.util.function.Consumer<InstanceView> listener) {
        book.stoppedListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** The cause a {@link CompletionException} wraps, or the failure itself. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}