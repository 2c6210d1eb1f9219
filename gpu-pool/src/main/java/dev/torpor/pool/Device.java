package dev.torpor.pool;

import java.util.Objects;

/**
 * A place instances run: the machine's CPUs ({@code cpu}) or one GPU ({@code gpu:N}).
 *
 * @param memoryMbTotal the memory budget instances on this device may use, in MiB (for a GPU: its memory less
 *                      what other processes used when Torpor started)
 */
public record Device(String id, DeviceKind kind, String name, long memoryMbTotal) {

    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        if (memoryMbTotal < 0) {
            throw new IllegalArgumentException("memoryMbTotal must not be negative");
        }
    }

    /** The CPU device with a memory budget of {@code memoryMb}. */
    public static Device cpu(long memoryMb) {
        return new Device("cpu", DeviceKind.CPU, "cpu", memoryMb);
    }

    /** GPU number {@code index} ({@code gpu:index}), as its driver names it. */
    public static Device gpu(int index, String name, long memoryMb) {
        if (index < 0) {
            throw new IllegalArgumentException("a GPU index must not be negative");
        }
        return new Device("gpu:" + index, DeviceKind.GPU, name, memoryMb);
    }

    public boolean isGpu() {
        return kind == DeviceKind.GPU;
    }

    /** The driver's index of a GPU ({@code 1} for {@code gpu:1}); -1 for the CPU. */
    public int gpuIndex() {
        return isGpu() ? Integer.parseInt(id.substring(id.indexOf(':') + 1)) : -1;
    }
}
