package dev.torpor.router.activation;

import dev.torpor.pool.DevicePreference;
import dev.torpor.function.Batcher;
import dev.torpor.function.Batching;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.util.Objects;

/**
 * The part of a model's effective config that the activator and the reaper act on, resolved (no nulls)
 * when the request arrives. A changed config applies to the next request; engine threads apply to the
 * next instance started.
 *
 * @param device the kinds of device its instances may run on
 */
public record ServingPolicy(
        DevicePreference device,
        long memoryMb,
        int minInstances,
        int maxInstances,
        int concurrencyPerInstance,
        Duration idleTimeout,
        int maxQueue,
        Duration requestTimeout,
        RuntimeOptions runtime,
        Batching batching) {

    /** A policy without dynamic batching. */
    public ServingPolicy(DevicePreference device, long memoryMb, int minInstances, int maxInstances, int concurrencyPerInstance,
                         Duration idleTimeout, int maxQueue, Duration requestTimeout, RuntimeOptions runtime) {
        this(device, memoryMb, minInstances, maxInstances, concurrencyPerInstance, idleTimeout, maxQueue, requestTimeout,
                runtime, Batching.OFF);
    }

    /**
     * How many requests an instance is given at once: {@code concurrencyPerInstance} engine calls, each of up to
     * {@code maxBatchSize} requests when the model batches.
     */
    public int inFlightPerInstance() {
        return (int) Math.min(Integer.MAX_VALUE, (long) concurrencyPerInstance * batching.maxBatchSize());
    }

    /**
     * This policy as a pool applies it: dynamic batching only where the launcher's instances batch and the
     * model can be batched (every input and output with a dynamic first dimension); else off, so that an
     * instance is never handed more requests than it runs at once.
     */
    ServingPolicy fittedTo(ModelManifest manifest, boolean launcherBatches) {
        if (!batching.enabled() || (launcherBatches && Batcher.batchable(manifest.signature()))) {
            return this;
        }
        return new ServingPolicy(device, memoryMb, minInstances, maxInstances, concurrencyPerInstance, idleTimeout,
                maxQueue, requestTimeout, runtime);
    }

    public ServingPolicy {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(batching, "batching");
        if (concurrencyPerInstance < 1 || maxInstances < 1 || minInstances < 0 || maxQueue < 0) {
            throw new IllegalArgumentException("invalid serving policy " + concurrencyPerInstance + "/" + maxInstances
                    + "/" + minInstances + "/" + maxQueue);
        }
    }
}
