package dev.torpor.pool;

import dev.torpor.function.FunctionInstance;
import java.util.List;
import java.util.Optional;

/**
 * Starts function instances somewhere: in the router's JVM, in a child process, in a pod. The
 * returned instance is COLD; the caller loads it. Implementations are thread-safe.
 */
public interface Launcher extends AutoCloseable {

    /** A short name for configuration and logs ({@code in-process}, {@code process}, {@code kubernetes}). */
    String name();

    FunctionInstance launch(LaunchSpec spec);

    /** Whether its instances honour {@link LaunchSpec#batching()} (dynamic batching). */
    default boolean batches() {
        return false;
    }

    /**
     * The captured output of its instances, when this launcher captures any: a launcher that runs instances
     * in processes of their own does; instances in the router's JVM write to the router's log, and have none.
     */
    default Optional<InstanceLogs> instanceLogs() {
        return Optional.empty();
    }

    /** Where its instances run outside the router's machine (pods), for operators' views; none for a launcher that runs them here. */
    default List<HostView> hosts() {
        return List.of();
    }

    /** Stops whatever the launcher runs on its own (function processes, a warm pool). Idempotent. */
    @Override
    default void close() {
    }
}
