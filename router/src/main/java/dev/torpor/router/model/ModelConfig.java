package dev.torpor.router.model;

import dev.torpor.error.BadRequest;
import dev.torpor.pool.DevicePreference;

/**
 * A model's effective config (API.md "Model config"): every field resolved except the three whose null
 * means "inherited" and is resolved where the inheritance is known — {@code defaultVersion} (latest
 * published), {@code memoryMb} (estimated at publish) and {@code idleTimeoutSeconds} (the pool default).
 * Validated on construction: an invalid combination never exists.
 */
public record ModelConfig(
        String defaultVersion,
        boolean shared,
        DevicePreference device,
        Long memoryMb,
        int minInstances,
        int maxInstances,
        int concurrencyPerInstance,
        Long idleTimeoutSeconds,
        int maxQueue,
        long requestTimeoutMs,
        Batching batching,
        Runtime runtime) {

    /** Dynamic batching: requests stacked into one engine call (served from the performance issue on). */
    public record Batching(int maxBatchSize, long maxDelayMicros) {
        public Batching {
            atLeast(maxBatchSize, 1, "batching.maxBatchSize");
            atLeast(maxDelayMicros, 0, "batching.maxDelayMicros");
        }
    }

    /** Engine threading per instance. */
    public record Runtime(int intraOpThreads, int interOpThreads) {
        public Runtime {
            atLeast(intraOpThreads, 1, "runtime.intraOpThreads");
            atLeast(interOpThreads, 1, "runtime.interOpThreads");
        }
    }

    public static final ModelConfig DEFAULTS = new ModelConfig(null, false, DevicePreference.CPU, null, 0, 4, 4, null, 1000, 30_000,
            new Batching(1, 0), new Runtime(1, 1));

    public ModelConfig {
        if (device == null) {
            throw new BadRequest("device must be one of cpu, gpu, any");
        }
        if (memoryMb != null) {
            atLeast(memoryMb, 1, "memoryMb");
        }
        atLeast(minInstances, 0, "minInstances");
        atLeast(maxInstances, 1, "maxInstances");
        atLeast(concurrencyPerInstance, 1, "concurrencyPerInstance");
        if (idleTimeoutSeconds != null) {
            atLeast(idleTimeoutSeconds, 1, "idleTimeoutSeconds");
        }
        atLeast(maxQueue, 0, "maxQueue");
        atLeast(requestTimeoutMs, 1, "requestTimeoutMs");
        if (minInstances > maxInstances) {
            throw new BadRequest("minInstances (" + minInstances + ") must not exceed maxInstances (" + maxInstances + ")");
        }
    }

    private static void atLeast(long value, long minimum, String field) {
        if (value < minimum) {
            throw new BadRequest(field + " must be at least " + minimum + "; got " + value);
        }
    }
}
