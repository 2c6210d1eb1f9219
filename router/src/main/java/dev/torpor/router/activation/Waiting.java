package dev.torpor.router.activation;

import dev.torpor.error.TorporException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests and explicit wakes taken out of a {@link ModelGate} together (a refused placement, a failed load
 * with nothing else coming, a retired version, shutdown), to be failed once the pool's lock is released.
 */
record Waiting(List<Invocation> requests, List<CompletableFuture<Void>> wakes) {
    static final Waiting NONE = new Waiting(List.of(), List.of());

    /** Fails every request and wake with {@code reason}; call without the lock. */
    void fail(TorporException reason) {
        requests.forEach(invocation -> invocation.fail(reason));
        wakes.forEach(wake -> wake.completeExceptionally(reason));
    }
}
