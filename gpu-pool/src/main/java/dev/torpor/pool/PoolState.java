package dev.torpor.pool;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of the pool: its devices and every instance that holds capacity on them, with the number of
 * instances each model version keeps warm ({@code minInstances}, which eviction never goes below).
 *
 * @param keepWarm {@code name/version} → minInstances; absent means 0
 */
public record PoolState(List<Device> devices, List<PooledInstance> instances, Map<String, Integer> keepWarm) {

    public PoolState {
        devices = List.copyOf(devices);
        instances = List.copyOf(instances);
        keepWarm = Map.copyOf(keepWarm);
        if (devices.stream().noneMatch(device -> !device.isGpu())) {
            throw new IllegalArgumentException("a pool always has the CPU device");
        }
    }

    public PoolState(List<Device> devices, List<PooledInstance> instances) {
        this(devices, instances, Map.of());
    }

    public long memoryMbUsed(String deviceId) {
        return instances.stream().filter(i -> i.deviceId().equals(deviceId)).mapToLong(PooledInstance::memoryMb).sum();
    }

    public int instancesOn(String deviceId) {
        return (int) instances.stream().filter(i -> i.deviceId().equals(deviceId)).count();
    }

    /** Live (LOADING or READY) instances of one model version. */
    public int liveInstancesOf(String model) {
        return (int) instances.stream().filter(i -> i.model().equals(model) && i.isLive()).count();
    }

    public int keepWarm(String model) {
        return keepWarm.getOrDefault(Objects.requireNonNull(model), 0);
    }

    public Device device(String id) {
        return devices.stream().filter(device -> device.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + id));
    }
}
