package dev.torpor.pool;

import java.util.Objects;

/**
 * A place instances run: the machine's CPUs ({@code cpu}) or one GPU ({@code gpu:N}).
 *
 * @param memoryMbTotal the memory budget instances on this device may use, in MiB
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
}
