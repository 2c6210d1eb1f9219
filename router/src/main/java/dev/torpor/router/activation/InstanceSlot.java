package dev.torpor.router.activation;

import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InstanceState;
import dev.torpor.pool.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The activator's book-keeping for one instance: what runs on it now and since when it has been idle.
 * Not thread-safe: guarded by its {@link ModelGate}.
 */
final class InstanceSlot {
    private final FunctionInstance instance;
    private final Device device;
    private final long memoryMb;
    private final Set<Invocation> running = new HashSet<>();
    private Instant readyAt;
    private long readySequence = Long.MAX_VALUE;
    private Duration loadTime = Duration.ZERO;
    private Instant idleSince;
    private boolean draining;
    private final java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();

    InstanceSlot(FunctionInstance instance, Device device, long memoryMb) {
        this.instance = instance;
        this.device = device;
        this.memoryMb = memoryMb;
    }

    FunctionInstance instance() {
        return instance;
    }

    Device device() {
        return device;
    }

    long memoryMb() {
        return memoryMb;
    }

    void ready(Instant now, Duration took, long sequence) {
        readyAt = now;
        readySequence = sequence;
        loadTime = took;
        idleSince = now;
    }

    boolean isReady() {
        return readyAt != null && !draining;
    }

    boolean isLoading() {
        return readyAt == null && !draining;
    }

    boolean hasRoom(int concurrency) {
        return isReady() && running.size() < concurrency;
    }

    void begin(Invocation invocation) {
        running.add(invocation);
        idleSince = null;
    }

    void end(Invocation invocation, Instant now) {
        running.remove(invocation);
        if (running.isEmpty()) {
            idleSince = now;
        }
    }

    Set<Invocation> running() {
        return running;
    }

    int inFlight() {
        return running.size();
    }

    Instant readyAt() {
        return readyAt;
    }

    /** The activator's event number at which this instance became READY. */
    long readySequence() {
        return readySequence;
    }

    Duration loadTime() {
        return loadTime;
    }

    Instant idleSince() {
        return idleSince;
    }

    void markDraining() {
        draining = true;
        instance.drain();
    }

    /** Completes once the instance has stopped and freed its engine resources. */
    java.util.concurrent.CompletableFuture<Void> stopped() {
        return stopped;
    }

    boolean isDraining() {
        return draining;
    }

    /** The state to show: the instance's own, except that a slot marked draining shows DRAINING. */
    InstanceState visibleState() {
        InstanceState state = instance.state();
        return draining && state == InstanceState.READY ? InstanceState.DRAINING : state;
    }
}
