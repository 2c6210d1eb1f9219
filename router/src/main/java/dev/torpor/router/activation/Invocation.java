package dev.torpor.router.activation;

import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One admitted request on its way through the activator, and the facts billing needs about its trip:
 * how long it queued, whether it waited for a load, which instance ran it and for how long.
 *
 * <p>The activator writes those facts before it completes {@link #result()}; readers look at them after
 * the future completes (the future's completion orders the writes before the reads).
 */
public final class Invocation {
    private final InferenceRequest request;
    private final Instant arrivedAt;
    private final Instant deadline;
    private final RunControl control = new RunControl();
    private final CompletableFuture<InferenceOutcome> result = new CompletableFuture<>();

    private boolean timedOut;
    private boolean cancelled;
    private Instant submittedAt;
    private Instant dispatchedAt;
    private long admittedSequence;
    private String instanceId;
    private String deviceId;
    private boolean coldStart;
    private Duration initTime = Duration.ZERO;

    public Invocation(InferenceRequest request, Instant arrivedAt, Duration timeout) {
        this.request = request;
        this.arrivedAt = arrivedAt;
        this.deadline = arrivedAt.plus(timeout);
    }

    public InferenceRequest request() {
        return request;
    }

    public Instant arrivedAt() {
        return arrivedAt;
    }

    public Instant deadline() {
        return deadline;
    }

    RunControl control() {
        return control;
    }

    /** Completes with the instance's outcome, or fails with a {@link TorporException}. */
    public CompletableFuture<InferenceOutcome> result() {
        return result;
    }

    /**
     * Time spent waiting for capacity: from admission by the activator to the hand-over to an instance (or
     * to {@code failedAt}, when never handed over). Reading and decoding the body come before and do not count.
     */
    public synchronized Duration queueTime(Instant failedAt) {
        if (submittedAt == null) {
            return Duration.ZERO;
        }
        Instant end = dispatchedAt != null ? dispatchedAt : failedAt;
        return end.isBefore(submittedAt) ? Duration.ZERO : Duration.between(submittedAt, end);
    }

    public synchronized String instanceId() {
        return instanceId;
    }

    public synchronized String deviceId() {
        return deviceId;
    }

    /** True when the request waited for an instance to load: it ran on an instance that became READY after it arrived. */
    public synchronized boolean coldStart() {
        return coldStart;
    }

    /** The load time of the instance that a cold request waited for; zero for a warm request. */
    public synchronized Duration initTime() {
        return initTime;
    }

    synchronized long admittedSequence() {
        return admittedSequence;
    }

    synchronized void admitted(long sequence, Instant now) {
        admittedSequence = sequence;
        submittedAt = now;
    }

    synchronized void dispatched(Instant now, InstanceSlot slot) {
        dispatchedAt = now;
        instanceId = slot.instance().id();
        deviceId = slot.device().id();
        coldStart = slot.readySequence() > admittedSequence;
        initTime = coldStart ? slot.loadTime() : Duration.ZERO;
    }

    synchronized void markTimedOut() {
        timedOut = true;
    }

    synchronized void markCancelled() {
        cancelled = true;
    }

    /** Settles the result, turning an engine's answer into 504 or "cancelled" when that is what happened first. */
    void settle(InferenceOutcome outcome, Throwable failure) {
        boolean late;
        boolean gone;
        synchronized (this) {
            late = timedOut;
            gone = cancelled;
        }
        if (late) {
            result.completeExceptionally(new DeadlineExceeded("the request's deadline of "
                    + Duration.between(arrivedAt, deadline).toMillis() + " ms passed while it ran"));
        } else if (gone) {
            result.completeExceptionally(new RequestCancelled("the client went away"));
        } else if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(outcome);
        }
    }

    void fail(TorporException failure) {
        result.completeExceptionally(failure);
    }
}
