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
 * Hands requests to instances, carries out the {@link Placer}'s decisions, and reacts to what instances report:
 * a load finished (serve the queue, or back off, or fall back from a GPU to the CPU), a request finished (serve
 * the next one, or stop a draining instance), an instance stopped (its capacity is free), and capacity freed
 * (retry the models waiting for a placement, in arrival order). It asks the {@link Placer} for placements; the
 * placer never calls back.
 *
 * <p>Thread-safety: the completion handlers run on instance threads and the stopper thread. Each takes the
 * {@link PoolBook#lock pool's lock} only to decide, and runs what it decided (engine calls, stops, failing or
 * completing futures) after releasing it. {@link #dispatch} is the exception: it is called holding the lock
 * (and asserts it) and returns the engine call to run after it.
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

    Completions(PoolBook book, Placer placer) {
        this.book = book;
        this.placer = placer;
    }

    /**
     * Under the lock: the instance takes the request; returns the engine call to run once the lock is released.
     */
    Runnable dispatch(ModelGate gate, InstanceSlot slot, Invocation invocation, Instant now) {
        book.lock.assertHeld();
        slot.begin(invocation);
        invocation.dispatched(now, slot);
        return () -> slot.instance().infer(invocation.request(), invocation.control())
                .whenComplete((outcome, failure) -> finished(gate, slot, invocation, outcome, failure));
    }

    /** Under the lock: hands queued requests to {@code slot} while it has room; adds their engine calls. */
    private void serveQueue(ModelGate gate, InstanceSlot slot, Instant now, List<Runnable> actions) {
        for (Invocation next = gate.nextFor(slot); next != null; next = gate.nextFor(slot)) {
            actions.add(dispatch(gate, slot, next, now));
        }
    }

    /**
     * What a placement decided, as the work to run after the lock: the launched instance loads (and reports
     * to {@link #loaded}), the evicted instances stop, the refused requests and wakes fail.
     */
    Runnable carryOut(Placer.Step step) {
        return () -> {
            step.evicted().forEach(this::stop);
            InstanceSlot launched = step.launched();
            if (launched != null) {
                launched.instance().load().whenComplete((took, failure) -> loaded(step.gate(), launched, took,
                        failure));
            }
            if (step.refusal() != null) {
                step.refused().fail(step.refusal());
            }
        };
    }

    /**
     * Under the lock: places one instance for a gate that something waits for and, when one was launched, hands
     * it the explicit wakes waiting, which complete with that instance's load.
     */
    private void placeForWaiters(ModelGate gate, List<Runnable> actions) {
        Placer.Step step = placer.place(gate);
        actions.add(carryOut(step));
        if (step.launched() != null && gate.hasWakeWaiters()) {
            List<CompletableFuture<Void>> wakes = gate.takeWakeWaiters();
            InstanceSlot next = step.launched();
            actions.add(() -> next.instance().load().whenComplete((ok, failure) -> wakes.forEach(
                    wake -> complete(wake, failure))));
        }
    }

    /** An instance's load finished, on the instance's thread. */
    void loaded(ModelGate gate, InstanceSlot slot, Duration took, Throwable failure) {
        List<Runnable> actions = new ArrayList<>();
        List<CompletableFuture<Void>> woken = List.of();
        Waiting failed = Waiting.NONE;
        TorporException reason = null;
        boolean stopSlot = false;
        synchronized (book.lock) {
            Instant now = book.clock().instant();
            if (!gate.holds(slot) || slot.isDraining()) {
                return; // drained while loading; whoever drained it stops it
            }
            if (failure == null) {
                slot.ready(now, took, book.nextEvent());
                gate.loadSucceeded();
                serveQueue(gate, slot, now, actions);
                woken = gate.takeWakeWaiters();
            } else {
                slot.markDraining();
                book.beginStopping(gate, slot);
                stopSlot = true;
                String why = Activator.unwrap(failure).getMessage();
                if (gate.fallBackFromGpu(slot)) {
                    // The GPU could not start it; the model allows any device, so it goes to the CPU instead.
                    LOG.warn("{} could not start on {} ({}); placing it on the CPU instead", gate.id(),
                            slot.device().id(), why);
                    if (!gate.hasLiveCapacity() && (gate.hasQueued() || gate.hasWakeWaiters())) {
                        placeForWaiters(gate, actions);
                    }
                } else {
                    gate.loadFailed(why, now);
                    if (!gate.hasLiveCapacity()) {
                        reason = gate.loadFailure(now);
                        failed = gate.takeAllWaiting();
                    }
                }
            }
            gate.observe(now);
        }
        if (stopSlot) {
            stop(slot);
        }
        if (reason != null) {
            failed.fail(reason);
        }
        woken.forEach(wake -> wake.complete(null));
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
                if (slot.inFlight() == 0 && gate.holds(slot)) {
                    book.beginStopping(gate, slot);
                    stopSlot = true;
                }
            } else {
                serveQueue(gate, slot, now, actions);
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
     * Stops an instance already moved to {@link PoolBook#beginStopping stopping}, on the stopper thread (the
     * caller may be one of the instance's own threads, which its stop waits for); once stopped, its capacity
     * serves waiting models. Called without the lock.
     */
    void stop(InstanceSlot slot) {
        stopper.execute(() -> {
            try {
                slot.instance().stop();
            } finally {
                slot.stopped().complete(null);
                InstanceView last;
                synchronized (book.lock) {
                    last = book.forgetStopped(slot);
                }
                if (last != null) {
                    try {
                        book.tellStopped(last);
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
                    .filter(gate -> gate.placement().mayRetry())
                    .sorted(Comparator.comparingLong(ModelGate::oldestWaiting))
                    .toList();
            for (ModelGate gate : waiting) {
                gate.placement().stop();
                if (gate.hasQueued() || gate.hasWakeWaiters() && !gate.hasLiveCapacity()) {
                    placeForWaiters(gate, actions);
                }
            }
        }
        actions.forEach(Runnable::run);
    }
}
