package dev.torpor.function;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One running copy of one model version: the unit that scales. It loads its model lazily and at most once
 * (single flight), answers requests while READY, and frees every engine resource when stopped. Where it
 * runs (in the router's JVM, a child process, a pod) is the launcher's business; callers see only this.
 *
 * <p>Thread-safe. The caller (the activator) decides how many requests are in flight at once.
 */
public interface FunctionInstance {

    /** Unique among live instances, e.g. {@code vad-1-7f3a}. */
    String id();

    InstanceState state();

    /** When the instance was created. */
    Instant startedAt();

    /**
     * Loads the model. Single flight: every call returns the same future, completed with how long the load
     * took, or failed with {@link dev.torpor.error.ModelLoadFailed}.
     */
    CompletableFuture<Duration> load();

    /**
     * Runs one request on a READY instance, on the instance's own threads (engines block in native code).
     * The future fails with the engine's {@link dev.torpor.error.TorporException}.
     */
    CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control);

    /**
     * Engine time this instance has spent running requests since it started, in microseconds, counted by the
     * instance itself whatever became of each answer (a request that timed out or whose client left still
     * used the engine). Billing's reconciliation compares it with the compute time the ledger billed.
     */
    default long busyMicros() {
        return 0;
    }

    /** Requests this instance has run (successfully or not) since it started. */
    default long runs() {
        return 0;
    }

    /**
     * Where the instance runs when that is outside the router's machine, kubectl style ({@code pod/torpor-fn-…}):
     * the host it runs on now (a crashed host's replacement is another). Empty for instances on this machine.
     */
    default java.util.Optional<String> host() {
        return java.util.Optional.empty();
    }

    /** Marks the instance DRAINING: the caller sends it nothing new and stops it once idle. */
    void drain();

    /**
     * Stops the instance and frees its engine resources (native memory). Idempotent. The caller makes sure
     * nothing is in flight; a request still running is allowed to finish before the session closes.
     */
    void stop();
}
