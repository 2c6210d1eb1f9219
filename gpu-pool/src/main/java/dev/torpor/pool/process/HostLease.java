package dev.torpor.pool.process;

import dev.torpor.pool.LaunchSpec;
import dev.torpor.function.host.Wire;
import java.io.IOException;
import java.time.Duration;

/**
 * A connected, model-less function host handed to one instance for its cold start. Closing the lease says
 * the cold start is over (loaded and first answer given, or failed), so that whoever lent the host may start
 * a replacement without competing with that load for the CPUs; the host itself stays the instance's.
 * {@link #close()} is idempotent and thread-safe.
 */
public interface HostLease extends AutoCloseable {

    RemoteHost host();

    /** The LOAD this host gets for {@code spec}: the artifact and model cache as the host sees them. */
    Wire.Load loadFor(LaunchSpec spec) throws IOException;

    /** After a successful load: records how the start went ({@code acquireNanos}, {@code load}). */
    void loaded(LaunchSpec spec, long acquireNanos, Duration load);

    /** Where the host runs, kubectl style ({@code pod/NAME}), when that is outside the router's machine. */
    default java.util.Optional<String> where() {
        return java.util.Optional.empty();
    }

    @Override
    void close();

    /** Where hosts come from: a process launcher's warm pool or spawner, a test, the kubernetes launcher. */
    @FunctionalInterface
    interface Source {
        /** A lease on a connected host for {@code spec}'s instance; fails with why none could be had. */
        java.util.concurrent.CompletableFuture<HostLease> acquire(LaunchSpec spec);
    }
}
