package dev.torpor.router.activation;

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
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Admits requests and gives them capacity. A model version with a READY instance that has room runs the
 * request at once; otherwise the request waits in the version's bounded queue while exactly one instance
 * loads (a cold model is simply one whose instances offer zero capacity). When the load finishes the queue
 * drains; when it fails every waiting request gets the reason, and the version backs off before it tries
 * again.
 *
 * <p>Thread-safe: each version's state is guarded by its {@link ModelGate}; engine calls and future
 * completions happen outside any lock. Time comes from the injected clock, so queueing, deadlines and the
 * reaper are tested without sleeping.
 */
public final class Activator {
    private static final Duration QUEUE_FULL_RETRY = Duration.ofSeconds(1);

    private final ConcurrentMap<ModelId, ModelGate> gates = new ConcurrentHashMap<>();
    private final Launcher launcher;
    private final Supplier<List<Device>> devices;
    private final Clock clock;
    private final ExecutorService stopper = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "instance-stopper");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean shuttingDown;
    /** Orders admissions against instances becoming READY, to tell cold requests from warm ones exactly. */
    private final AtomicLong events = new AtomicLong();

    public Activator(Launcher launcher, Supplier<List<Device>> devices, Clock clock) {
        this.launcher = launcher;
        this.devices = devices;
        this.clock = clock;
    }

    /**
     * Admits one request for a published version. Never blocks: the result arrives on
     * {@link Invocation#result()}, failed with {@link QueueFull}, {@link ModelLoadFailed},
     * {@link dev.torpor.error.DeadlineExceeded} or the engine's error.
     */
    public void submit(ModelManifest manifest, Path artifact, ServingPolicy policy, Invocation invocation) {
        ModelGate gate = gates.computeIfAbsent(manifest.id(), ModelGate::new);
        List<Runnable> actions = new ArrayList<>();
        TorporException refusal = null;
        synchronized (gate) {
            gate.update(manifest, artifact, policy);
            Instant now = clock.instant();
            invocation.admitted(events.incrementAndGet(), now);
            var slot = gate.queue.isEmpty() ? gate.roomiest() : Optional.<InstanceSlot>empty();
            if (shuttingDown) {
                refusal = new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5));
            } else if (slot.isPresent()) {
                actions.add(dispatch(gate, slot.get(), invocation, now));
            } else if (gate.queue.size() >= policy.maxQueue()) {
                refusal = new QueueFull("the queue of model " + manifest.id() + " is full (maxQueue "
                        + policy.maxQueue() + ")", QUEUE_FULL_RETRY);
                if (!gate.hasLiveCapacity() && !gate.backoff.blocks(now)) {
                    actions.add(startInstance(gate)); // so that the retry the 429 asks for finds capacity
                }
            } else if (!gate.hasLiveCapacity() && gate.backoff.blocks(now)) {
                refusal = loadFailure(gate, now);
            } else {
                gate.queue.addLast(invocation);
                if (!gate.hasLiveCapacity()) {
                    actions.add(startInstance(gate));
                }
            }
        }
        if (refusal != null) {
            invocation.fail(refusal);
        }
        actions.forEach(Runnable::run);
    }

    /** The client went away: a queued request leaves the queue, a running one has its engine call stopped. */
    public void cancel(ModelId id, Invocation invocation) {
        ModelGate gate = gates.get(id);
        if (gate == null) {
            return;
        }
        boolean wasQueued;
        synchronized (gate) {
            invocation.markCancelled();
            wasQueued = gate.queue.remove(invocation);
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
        for (ModelGate gate : gates.values()) {
            List<Invocation> overdue;
            List<Invocation> lateRunning = new ArrayList<>();
            synchronized (gate) {
                overdue = gate.takeOverdue(now);
                for (InstanceSlot slot : gate.slots) {
                    for (Invocation running : slot.running()) {
                        if (!now.isBefore(running.deadline())) {
                            running.markTimedOut();
                            lateRunning.add(running);
                        }
                    }
                }
            }
            for (Invocation invocation : overdue) {
                invocation.fail(new dev.torpor.error.DeadlineExceeded("the request's deadline of "
                        + Duration.between(invocation.arrivedAt(), invocation.deadline()).toMillis()
                        + " ms passed while it waited for capacity"));
            }
            lateRunning.forEach(invocation -> invocation.control().cancel());
        }
    }

    /**
     * Wakes a version now (the repository's {@code load}): starts an instance unless one is READY or loading,
     * ignoring any load backoff. Completes when an instance is READY; fails with the load's reason.
     */
    public CompletableFuture<Void> wake(ModelManifest manifest, Path artifact, ServingPolicy policy) {
        ModelGate gate = gates.computeIfAbsent(manifest.id(), ModelGate::new);
        Runnable start = null;
        InstanceSlot target;
        synchronized (gate) {
            gate.update(manifest, artifact, policy);
            if (shuttingDown) {
                return CompletableFuture.failedFuture(new ShuttingDown("Torpor is shutting down", Duration.ofSeconds(5)));
            }
            target = gate.slots.stream().filter(InstanceSlot::isReady).findFirst()
                    .or(() -> gate.slots.stream().filter(InstanceSlot::isLoading).findFirst())
                    .orElse(null);
            if (target == null) {
                start = startInstance(gate);
                target = gate.slots.get(gate.slots.size() - 1);
            }
        }
        if (start != null) {
            start.run();
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
        Runnable restart = null;
        synchronized (gate) {
            for (InstanceSlot slot : List.copyOf(gate.slots)) {
                slot.markDraining();
                stopped.add(slot.stopped());
                if (slot.inFlight() == 0) {
                    gate.slots.remove(slot);
                    stopNow.add(slot);
                }
            }
            if (!gate.queue.isEmpty() && !shuttingDown) {
                restart = startInstance(gate);
            }
        }
        stopNow.forEach(this::stop);
        if (restart != null) {
            restart.run();
        }
        return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
    }

    /**
     * Applies a changed config to a version that already has a gate, so the reaper and the queue see it
     * before the next request does (e.g. a lowered {@code minInstances} lets the reaper scale to zero).
     */
    public void updatePolicy(ModelId id, ServingPolicy policy) {
        ModelGate gate = gates.get(id);
        if (gate != null) {
            synchronized (gate) {
                gate.policy = policy;
            }
        }
    }

    /** Instances and failures of every version of a model, for the repository and pool views. */
    public List<InstanceView> instances(String model) {
        List<InstanceView> views = new ArrayList<>();
        for (ModelGate gate : gates.values()) {
            if (gate.id.name().equals(model)) {
                synchronized (gate) {
                    gate.slots.forEach(slot -> views.add(InstanceView.of(gate.id, slot)));
                }
            }
        }
        return views;
    }

    /** The most recent unrecovered load failure among a model's versions, if any. */
    public Optional<LoadFailureView> lastLoadFailure(String model) {
        LoadFailureView latest = null;
        for (ModelGate gate : gates.values()) {
            if (!gate.id.name().equals(model)) {
                continue;
            }
            synchronized (gate) {
                if (gate.backoff.hasFailed() && (latest == null
                        || gate.backoff.lastFailureAt().isAfter(latest.at()))) {
                    latest = new LoadFailureView(gate.id.version(), gate.backoff.lastReason(),
                            gate.backoff.lastFailureAt(), gate.backoff.consecutiveFailures(),
                            gate.backoff.retryNotBefore());
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Requests waiting for capacity across every model; for shutdown and tests. */
    public int queuedTotal() {
        int total = 0;
        for (ModelGate gate : gates.values()) {
            synchronized (gate) {
                total += gate.queue.size();
            }
        }
        return total;
    }

    Collection<ModelGate> gates() {
        return gates.values();
    }

    Clock clock() {
        return clock;
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
        for (ModelGate gate : gates.values()) {
            List<Invocation> left;
            List<InstanceSlot> slots;
            synchronized (gate) {
                left = new ArrayList<>(gate.queue);
                gate.queue.clear();
                slots = new ArrayList<>(gate.slots);
                gate.slots.clear();
            }
            left.forEach(invocation -> invocation.fail(new ShuttingDown("Torpor shut down before the request ran", null)));
            slots.forEach(slot -> {
                slot.instance().stop();
                slot.stopped().complete(null);
            });
        }
    }

    private boolean busy() {
        for (ModelGate gate : gates.values()) {
            synchronized (gate) {
                if (!gate.queue.isEmpty() || gate.slots.stream().anyMatch(slot -> slot.inFlight() > 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- under the gate's lock: decide, and return what to do once the lock is released ----

    private Runnable dispatch(ModelGate gate, InstanceSlot slot, Invocation invocation, Instant now) {
        slot.begin(invocation);
        invocation.dispatched(now, slot);
        return () -> slot.instance().infer(invocation.request(), invocation.control())
                .whenComplete((outcome, failure) -> finished(gate, slot, invocation, outcome, failure));
    }

    private Runnable startInstance(ModelGate gate) {
        ServingPolicy policy = gate.policy;
        Device device;
        try {
            device = Placement.choose(policy.device(), devices.get());
        } catch (TorporException refused) {
            // No placement: the waiting requests learn why; nothing is loading.
            List<Invocation> waiting = new ArrayList<>(gate.queue);
            gate.queue.clear();
            return () -> waiting.forEach(invocation -> invocation.fail(refused));
        }
        String instanceId = InstanceIds.next(gate.id.name(), gate.id.version());
        FunctionInstance instance = launcher.launch(new LaunchSpec(instanceId, gate.manifest, gate.artifact, device,
                policy.runtime(), policy.concurrencyPerInstance(), policy.memoryMb()));
        InstanceSlot slot = new InstanceSlot(instance, device, policy.memoryMb());
        gate.slots.add(slot);
        return () -> instance.load().whenComplete((took, failure) -> loaded(gate, slot, took, failure));
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
        TorporException reason = null;
        boolean stopSlot = false;
        synchronized (gate) {
            Instant now = clock.instant();
            if (!gate.slots.contains(slot)) {
                return; // scaled to zero or shut down while loading; whoever removed it stops it
            }
            if (failure == null) {
                slot.ready(now, took, events.incrementAndGet());
                gate.backoff.recordSuccess();
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.concurrencyPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
            } else {
                gate.slots.remove(slot);
                stopSlot = true;
                gate.backoff.recordFailure(unwrap(failure).getMessage(), now);
                if (!gate.hasLiveCapacity()) {
                    reason = loadFailure(gate, now);
                    failed.addAll(gate.queue);
                    gate.queue.clear();
                }
            }
        }
        if (stopSlot) {
            stop(slot);
        }
        for (Invocation invocation : failed) {
            invocation.fail(reason);
        }
        actions.forEach(Runnable::run);
    }

    private void finished(ModelGate gate, InstanceSlot slot, Invocation invocation, InferenceOutcome outcome,
                          Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        boolean stopSlot = false;
        synchronized (gate) {
            Instant now = clock.instant();
            slot.end(invocation, now);
            if (slot.isDraining()) {
                if (slot.inFlight() == 0 && gate.slots.remove(slot)) {
                    stopSlot = true;
                }
            } else {
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.concurrencyPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
            }
        }
        // Hand the instance its next request before this one's answer is encoded and billed.
        actions.forEach(Runnable::run);
        invocation.settle(outcome, unwrap(failure));
        if (stopSlot) {
            stop(slot);
        }
    }

    /**
     * Stops an instance already removed from its gate, on the stopper thread: the caller may be one of the
     * instance's own threads, which its stop waits for.
     */
    void stop(InstanceSlot slot) {
        stopper.execute(() -> {
            try {
                slot.instance().stop();
            } finally {
                slot.stopped().complete(null);
            }
        });
    }

    /** The cause a {@link CompletionException} wraps, or the failure itself. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
