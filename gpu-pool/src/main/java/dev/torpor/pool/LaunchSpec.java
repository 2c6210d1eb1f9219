package dev.torpor.pool;

import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a launcher needs to start one function instance.
 *
 * @param artifact    the model file in the store
 * @param concurrency how many requests the instance runs at once
 * @param memoryMb    the memory the instance is accounted for on its device
 */
public record LaunchSpec(String instanceId, ModelManifest manifest, Path artifact, Device device,
                         RuntimeOptions runtime, int concurrency, long memoryMb) {

    public LaunchSpec {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(runtime, "runtime");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }
}
