package dev.torpor.router.activation;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.ModelNotFound;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.pool.Device;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.Placement;
import dev.torpor.pool.PoolLimits;
import dev.torpor.pool.PoolState;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
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
 * and explicit control ({@link #wake}, {@link #scaleToZero}, {@link #retire}, {@link #updatePolicy},
 * {@link #limitsChanged}). The rest is delegated to parts that share one {@link PoolBook}: {@link Placer}
 * (decides placements and drains), {@link Completions} (carries them out; dispatch, and what instances report:
 * loaded, finished, stopped, capacity freed), {@link PoolAdjuster} ({@link PoolControl}: one pass of drains
 * and placements), {@link PoolViews} (read-only snapshots) and {@link PoolShutdown}. Each version's state and
 * its rules live in its {@link ModelGate}.
 *
 * <p>Thread-safe: all of the pool's book-keeping (every gate, and the instances still stopping) is guarded by
 * one lock, {@link PoolBook#lock}, so a placement sees the whole pool; engine calls, instance stops and future
 * completions happen outside it. Every method here decides under that lock and acts after releasing it; the
 * {@link Reaper} and the {@link Autoscaler} do the same through {@link PoolControl}, never touching the lock.
 * Time comes from the injected clock, so queueing, deadlines, scaling and the reaper are tested without sleeping.
 */
public final class Activator {
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    private static final Duration QUEUE_FULL_RETRY = Duration.ofSeconds(1);

    /** Whether the launcher's instances honour dynamic batching; when not, a policy's batching is dropped. */
    private final boolean launcherBatches;
    private final PoolBook book;
    private final Placer placer;
    private final Completions completions;
    private final PoolAdjuster control;
    private final PoolViews views;
    private final PoolShutdown shutdown;

    /** An activator with no limits beyond the devices. */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Clock clock) {
        this(launcher, devices, () -> PoolLimits.UNLIMITED, clock);
    }

    /**
     * @param devices every device of the pool, the CPU included
     * @param limits  the operators' current limits, read at every placement
     */
    public Activator(Launcher launcher, Supplier<List<Device>> devices, Supplier<PoolLimits> limits, Clock clock) {
        this.launcherBatches = launcher.batches();
        this.book = new PoolBook(devices, limits, clock);
        this.placer = new Placer(book, launcher);
        this.completions = new Completions(book, placer);
        this.control = new PoolAdjuster(book, placer, completions);
        this.views = new PoolViews(book);
        this.shutdown = new PoolShutdown(book);
    }

    /**
     * Admits one request for a published version. Never blocks: the result arrives on
     * {@link Invocation#result()}, failed with {@link QueueFull}, {@link ModelLoadFailed},
     * {@link CapacityExhausted}, {@link DeadlineExceeded}, {@link ModelNotFound} (the version is being
     * {@link #retire retired}) or the engine's error.
     */
    public void submit(ModelManifest manifest, Path artifact, ServingPolicy requested, Invocation invocation) {
        ServingPolicy policy = requested.fittedTo(manifest, launcherBatches);
        List<Runnable> actions = new ArrayList<>();
        TorporException refusal = null;
        synchronized (book.lock) {
            ModelGate gate = book.gateFor(manifest, artifact, policy);
            Instant now = book.clock().instant();
            gate.observe(now);
            invocation.admitted(book.nextEvent(), now);
            var slot = gate.hasQueued() ? Optional.<InstanceSlot>empty() : gate.roomiest();
            if (book.isShuttingDown()) {
                refusal = shuttingDown();
            } else if (gate.isRetiring()) {
                refusal = deleted(gate.id());
            } else if (slot.isPresent()) {
                actions.add(completions.dispatch(gate, slot.get(), invocation, now));
            } else if (gate.queued() >= policy.maxQueue()
                    || book.queuedTotalLocked() >= book.limits().queuedTotal()) {
                refusal = gate.queued() >= policy.maxQueue()
                        ? new QueueFull("the queue of model " + manifest.id() + " is full (maxQueue "
                        + policy.maxQueue() + ")", QUEUE_FULL_RETRY)
                        : new QueueFull("the pool's queue is full (maxQueuedTotal " + book.limits().queuedTotal() + ")",
                        QUEUE_FULL_RETRY);
                if (gate.needsFirstInstance(now)) {
                    actions.add(place(gate)); // so that the retry the 429 asks for finds capacity
                }
            } else if (!gate.hasLiveCapacity() && gate.backoffBlocks(now)) {
                refusal = gate.loadFailure(now);
            } else {
                gate.enqueue(invocation);
                if (gate.needsFirstInstance(now)) {
                    actions.add(place(gate));
                }
            }
            gate.observe(now);
        }
        if (refusal != null) {
            invocation.fail(refusal);
        }
        actions.forEach(Runnable::run);
    }

    /** Under the lock: places one instance for the gate; returns the work to run after the lock. */
    private Runnable place(ModelGate gate) {
        return completions.carryOut(placer.place(gate));
    }

    private static ShuttingDown shuttingDown() {
        return new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5));
    }

    private static ModelNotFound deleted(ModelId id) {
        return new ModelNotFound("model " + id + " has been deleted");
    }

    /** The client went away: a queued request leaves the queue, a running one has its engine call stopped. */
    public void cancel(ModelId id, Invocation invocation) {
        boolean wasQueued;
        synchronized (book.lock) {
            ModelGate gate = book.existingGate(id);
            if (gate == null) {
                return;
            }
            invocation.markCancelled();
            wasQueued = gate.withdraw(invocation, book.clock().instant());
        }
        if (wasQueued) {
            invocation.fail(new RequestCancelled("the client went away while the request was queued"));
        } else {
            invocation.control().cancel();
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
                String why = gate.placement().noCapacityNote();
                gate.takeOverdue(now).forEach(invocation -> overdue.put(invocation, why));
                for (InstanceSlot slot : gate.slots()) {
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
        ServingPolicy policy = requested.fittedTo(manifest, launcherBatches);
        Runnable start = () -> { };
        InstanceSlot target;
        CompletableFuture<Void> waiter = null;
        synchronized (book.lock) {
            ModelGate gate = book.gateFor(manifest, artifact, policy);
            if (book.isShuttingDown()) {
                return CompletableFuture.failedFuture(shuttingDown());
            }
            if (gate.isRetiring()) {
                return CompletableFuture.failedFuture(deleted(gate.id()));
            }
            target = gate.readyOrLoading().orElse(null);
            if (target == null) {
                Placer.Step step = gate.placement().isWaiting() ? null : placer.place(gate);
                if (step != null) {
                    start = completions.carryOut(step);
                    target = step.launched();
                }
                if (target == null) {
                    if (step != null && step.refusal() != null) {
                        waiter = CompletableFuture.failedFuture(step.refusal());
                    } else if (gate.placement().awaitsEvictions()) {
                        waiter = gate.awaitWake();
                    } else {
                        waiter = CompletableFuture.failedFuture(new CapacityExhausted("no capacity for " + gate.id()
                                + " now: " + gate.placement().reason(), Placer.NO_PLACEMENT_RETRY));
                        gate.placement().stop();
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
        return control.adjust(changes -> {
            ModelGate gate = book.existingGate(id);
            if (gate == null) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> stopped = changes.drainAll(gate);
            if (gate.hasQueued() && !changes.isShuttingDown() && !gate.placement().isWaiting()) {
                changes.place(gate);
            }
            return stopped;
        });
    }

    private record Retirement(ModelGate gate, Waiting waiting, CompletableFuture<Void> stopped) {
    }

    /**
     * Retires a deleted version: its instances drain (requests in flight finish), what still waits for it
     * (queued requests, explicit wakes) fails with {@link ModelNotFound}, and it takes nothing new; once every
     * instance has stopped the pool forgets the version (its queue, load failures and scaling memory), so a
     * deleted version holds nothing. Call it after the version left the store, for each version a deletion
     * removes. Completes when the version is forgotten; at once when the pool never served it.
     */
    public CompletableFuture<Void> retire(ModelId id) {
        Retirement retirement = control.adjust(changes -> {
            ModelGate gate = book.existingGate(id);
            return gate == null ? null : new Retirement(gate, gate.retire(), changes.drainAll(gate));
        });
        if (retirement == null) {
            return CompletableFuture.completedFuture(null);
        }
        retirement.waiting().fail(new ModelNotFound("model " + id + " was deleted while the request waited"));
        return retirement.stopped().thenRun(() -> {
            synchronized (book.lock) {
                book.forget(retirement.gate());
            }
        });
    }

    /** Whether the pool keeps state for the version (for tests: a retired version keeps none). */
    boolean hasGate(ModelId id) {
        synchronized (book.lock) {
            return book.existingGate(id) != null;
        }
    }

    /**
     * Applies a changed config to a version that already has a gate, so the reaper, the autoscaler and the queue
     * see it before the next request does (e.g. a lowered {@code minInstances} lets the reaper scale to zero).
     */
    public void updatePolicy(ModelId id, ServingPolicy policy) {
        synchronized (book.lock) {
            ModelGate gate = book.existingGate(id);
            if (gate != null) {
                gate.applyPolicy(policy.fittedTo(gate.manifest(), launcherBatches));
            }
        }
    }

    /**
     * Applies changed limits at once: instances over a lowered limit drain (idle ones first; a busy one finishes
     * its requests in flight, then stops), and capacity a raised limit opens serves waiting requests now.
     */
    public void limitsChanged() {
        control.adjust(changes -> {
            List<String> surplus = Placement.surplus(book.snapshotLocked(), changes.limits());
            for (String id : surplus) {
                for (ModelGate gate : changes.gates()) {
                    for (InstanceSlot slot : List.copyOf(gate.slots())) {
                        if (slot.instance().id().equals(id)) {
                            changes.drain(gate, slot);
                        }
                    }
                }
            }
            if (!surplus.isEmpty()) {
                LOG.info("pool limits lowered: draining {}", surplus);
            }
            return null;
        });
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

    /** What the {@link Reaper} and the {@link Autoscaler} may do to this pool. */
    PoolControl control() {
        return control;
    }

    /**
     * Registers who is told of each instance that has stopped, with its final counters (billing's
     * reconciliation keeps them). One listener; called on the stopper thread, outside the lock.
     */
    public void onInstanceStopped(Consumer<InstanceView> listener) {
        book.onStopped(listener);
    }

    /** The cause a {@link CompletionException} wraps, or the failure itself. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
