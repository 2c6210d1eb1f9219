package dev.torpor.router.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.pool.PoolLimits;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pool limits in force: the defaults overlaid with what operators set, read from the database at start
 * and cached (every placement reads them). {@link #update} validates, persists, then publishes; the caller
 * applies the change to the running pool. Thread-safe.
 */
public final class OperatorLimits implements Supplier<PoolLimits> {
    private final PoolLimitsRepository repository;
    private final PoolLimits defaults;
    private final Duration environmentIdleTimeout;
    private volatile PoolLimitsDocument document;
    private volatile PoolLimits effective;

    /**
     * @param defaults               the limits when operators set nothing (API.md's defaults)
     * @param environmentIdleTimeout {@code TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS}, what a null
     *                               {@code defaultIdleTimeoutSeconds} resolves to
     */
    public OperatorLimits(PoolLimitsRepository repository, PoolLimits defaults, Duration environmentIdleTimeout) {
        this.repository = repository;
        this.defaults = defaults;
        this.environmentIdleTimeout = environmentIdleTimeout;
        this.document = repository.find().orElse(PoolLimitsDocument.empty());
        this.effective = withIdleTimeout(document.resolve(defaults));
    }

    /** API.md's defaults, with the CPU memory limit and idle timeout that the environment sets. */
    public static PoolLimits defaults(long cpuMemoryMb, Duration idleTimeout) {
        return new PoolLimits(16, 4, 8, cpuMemoryMb, 8, null, 10_000, idleTimeout.toSeconds());
    }

    @Override
    public PoolLimits get() {
        return effective;
    }

    /** The idle timeout of models whose config sets none. */
    public Duration defaultIdleTimeout() {
        return Duration.ofSeconds(effective.defaultIdleTimeoutSeconds());
    }

    /**
     * Merges a patch, validates, persists and publishes it.
     *
     * @return the limits now in force
     * @throws dev.torpor.error.BadRequest naming the field
     */
    public synchronized PoolLimits update(JsonNode patch) {
        PoolLimitsDocument merged = document.merge(patch);
        PoolLimits resolved = withIdleTimeout(merged.resolve(defaults));
        repository.save(merged);
        document = merged;
        effective = resolved;
        return resolved;
    }

    private PoolLimits withIdleTimeout(PoolLimits limits) {
        if (limits.defaultIdleTimeoutSeconds() != null) {
            return limits;
        }
        return new PoolLimits(limits.maxInstances(), limits.maxInstancesPerModel(), limits.cpuMaxInstances(),
                limits.cpuMemoryMb(), limits.gpuMaxInstancesPerDevice(), limits.gpuMemoryMbPerDevice(),
                limits.maxQueuedTotal(), environmentIdleTimeout.toSeconds());
    }
}
