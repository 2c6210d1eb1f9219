package dev.torpor.pool;

import dev.torpor.function.Batching;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a launcher needs to start one function instance.
 *
 * @param artifact    the model file in the store
 * @param concurrency how many engine calls the instance runs at once
 * @param memoryMb    the memory the instance is accounted for on its device
 * @param batching    dynamic batching (honoured by both launchers; a function process batches inside itself)
 */
public record LaunchSpec(String instanceId, ModelManifest manifest, Path artifact, Device device,
                         RuntimeOptions runtime, int concurrency, long memoryMb, Batching batching) {

    /** A spec without dynamic batching. */
    public LaunchSpec(String instanceId, ModelManifest manifest, Path artifact, Device device, RuntimeOptions runtime,
                      int concurrency, long memoryMb) {
        this(instanceId, manifest, artifact, device, runtime, concurrency, memoryMb, Batching.OFF);
    }

    public LaunchSpec {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(batching, "batching");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }
}
