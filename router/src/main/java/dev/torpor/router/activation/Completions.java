package dev.torpor.router.activation;

import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands requests to instances and reacts to what instances report: a load finished (serve the queue, or back
 * off, or fall back from a GPU to the CPU), a request finished (serve the next one, or stop a draining
 * instance), an instance stopped (its capacity is free), and capacity freed (retry the models waiting for a
 * placement, in arrival order).
 *
 * <p>Thread-safety: the completion handlers run on instance threads and the stopper thread. Each takes the
 * {@link PoolBook#lock pool's lock} only to decide, and runs what it decided (engine calls, stops, failing or
 * completing futures) after releasing it. {@link #dispatch} is the exception: it is called holding the lock and
 * returns the engine call to run after it.
 */
final class Completions {
    /** Logs under the activator's name, as the pool always has. */
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);

    private final PoolBook book;
    private final Placer placer;
    private final ExecutorService stopper = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "instance-stopper");
        thread.setDaemon(true);
        return thread;
    });

    /** Made by its {@link Placer}, which it places through when capacity frees. */
    Completions(PoolBook book, Placer placer) {
        this.book = book;
        this.placer = placer;
    }

    /**
     * Under the lock: the instance takes the request; returns the engine call to run once the lock is released.
     */
    Runnable dispatch(ModelGate gate, InstanceSlot slot, Invocation invocation, Instant now) {
        slot.begin(invocation);
        invocation.dispatched(now, slot);
        return () -> slot.instance().infer(invocation.request(), invocation.control())
                .whenComplete((outcome, failure) -> finished(gate, slot, invocation, outcome, failure));
    }

    /** An instance's load finished, on the instance's thread. */
    void loaded(ModelGate gate, InstanceSlot slot, Duration took, Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        List<Invocation> failed = new ArrayList<>();
        List<CompletableFuture<Void>> wakes = new ArrayList<>();
        TorporException reason = null;
        boolean stopSlot = false;
        synchronized (book.lock) {
            Instant now = book.clock().instant();
            if (!gate.slots.contains(slot) || slot.isDraining()) {
                return; // drained while loading; whoever drained it stops it
            }
            if (failure == null) {
                slot.ready(now, took, book.nextEvent());
                gate.backoff.recordSuccess();
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.inFlightPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
                wakes.addAll(gate.wakeWaiters);
                gate.wakeWaiters.clear();
            } else {
                slot.markDraining();
                book.retire(gate, slot);
                stopSlot = true;
                String why = Activator.unwrap(failure).getMessage();
                if (slot.device().isGpu() && gate.policy.device().equals("any") && !gate.gpuFailed) {
                    // The GPU could not start it; the model allows any device, so it goes to the CPU instead.
                    gate.gpuFailed = true;
                    LOG.warn("{} could not start on {} ({}); placing it on the CPU instead", gate.id, slot.device().id(), why);
                    if (!gate.hasLiveCapacity() && (!gate.queue.isEmpty() || !gate.wakeWaiters.isEmpty())) {
                        Placer.Step step = placer.place(gate);
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
                        reason = gate.loadFailure(now);
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
            wake.completeExceptionally(Activator.unwrap(failure));
        }
    }

    /** A request's engine call finished, on the instance's thread. */
    private void finished(ModelGate gate, InstanceSlot slot, Invocation invocation, InferenceOutcome outcome,
                          Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        boolean stopSlot = false;
        synchronized (book.lock) {
            Instant now = book.clock().instant();
            slot.end(invocation, now);
            if (slot.isDraining()) {
                if (slot.inFlight() == 0 && gate.slots.contains(slot)) {
                    book.retire(gate, slot);
                    stopSlot = true;
                }
            } else {
                while (!gate.queue.isEmpty() && slot.hasRoom(gate.policy.inFlightPerInstance())) {
                    actions.add(dispatch(gate, slot, gate.queue.pollFirst(), now));
                }
            }
            gate.observe(now);
        }
        // Hand the instance its next request before this one's answer is encoded and billed.
        actions.forEach(Runnable::run);
        invocation.settle(outcome, Activator.unwrap(failure));
        if (stopSlot) {
            stop(slot);
        }
    }

    /**
     * Stops an instance already {@link PoolBook#retire retired}, on the stopper thread (the caller may be one of
     * the instance's own threads, which its stop waits for); once stopped, its capacity serves waiting models.
     * Called without the lock.
     */
    void stop(InstanceSlot slot) {
        stopper.execute(() -> {
            try {
                slot.instance().stop();
            } finally {
                slot.stopped().complete(null);
                InstanceView last;
                synchronized (book.lock) {
                    last = book.stoppingViewLocked(slot);
                    book.forgetStopped(slot);
                }
                if (last != null) {
                    try {
                        book.stoppedListener.accept(last);
                    } catch (RuntimeException listenerFailed) {
                        LOG.warn("the stopped-instance listener failed for {}", last.id(), listenerFailed);
                    }
                }
                capacityFreed();
            }
        });
    }

    /**
     * Capacity freed (an instance stopped, or limits were raised): models waiting for a placement are retried in
     * the order their oldest request arrived; a model still waiting for its evictions to stop is skipped.
     * Called without the lock.
     */
    void capacityFreed() {
        List<Runnable> actions = new ArrayList<>();
        synchronized (book.lock) {
            if (book.isShuttingDown()) {
                return;
            }
            List<ModelGate> waiting = book.gates().stream()
                    .filter(gate -> gate.awaitingPlacement && gate.awaitingStops.isEmpty())
                    .sorted(Comparator.comparingLong(ModelGate::oldestWaiting))
                    .toList();
            for (ModelGate gate : waiting) {
                gate.awaitingPlacement = false;
                boolean wanted = !gate.queue.isEmpty() || !gate.wakeWaiters.isEmpty() && !gate.hasLiveCapacity();
                if (!wanted) {
                    continue;
                }
                Placer.Step step = placer.place(gate);
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
}
