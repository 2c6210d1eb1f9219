package dev.torpor.pool.process;

import dev.torpor.error.InstanceCrashed;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.Wire;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The router's handle on one connected function host, wherever it runs: a child process
 * ({@link HostProcess}) or a host the router dials, such as a pod ({@link DialedHost}). It speaks the frame protocol through a {@link HostConnection}; what a
 * {@link RemoteFunctionInstance} needs of it is only this. Implementations are thread-safe.
 */
public interface RemoteHost {

    /** Asks the host to load its model; completes with the load time the host measured. */
    CompletableFuture<Duration> load(Wire.Load load);

    /**
     * Sends one request; completes with the outputs and the host's own compute time. When the host dies
     * first, fails with {@link InstanceCrashed}, or with {@link NotStarted} when the request certainly had
     * not started running there.
     */
    CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control);

    boolean isAlive();

    /** Ends the host at once; in-flight requests fail with {@code reason}. */
    void kill(String reason);

    /** Asks the host to finish its runs, close its session and exit; kills it after {@code grace}. */
    void stop(Duration grace);

    /**
     * A request that the host certainly had not started running when it died: it may be sent again to a new
     * host. {@link #crash()} is what a caller sees when it is not retried.
     */
    final class NotStarted extends RuntimeException {
        private final InstanceCrashed crash;

        NotStarted(InstanceCrashed crash) {
            super(crash.getMessage(), null, false, false);
            this.crash = crash;
        }

        public InstanceCrashed crash() {
            return crash;
        }
    }
}
