package dev.torpor.pool;

import java.util.List;

/** A probe that reports the GPUs it was given: for tests, and for machines configured by hand. */
public final class FakeDeviceProbe implements DeviceProbe {
    private final List<Device> gpus;

    public FakeDeviceProbe(List<Device> gpus) {
        if (gpus.stream().anyMatch(device -> !device.isGpu())) {
            throw new IllegalArgumentException("a device probe reports GPUs only");
        }
        this.gpus = List.copyOf(gpus);
    }

    /** {@code count} identical GPUs of {@code memoryMb} each, {@code gpu:0} upwards. */
    public static FakeDeviceProbe of(int count, long memoryMb) {
        return of(count, memoryMb, "Fake GPU");
    }

    /** {@code count} identical GPUs named {@code name}, of {@code memoryMb} each, {@code gpu:0} upwards. */
    public static FakeDeviceProbe of(int count, long memoryMb, String name) {
        return new FakeDeviceProbe(java.util.stream.IntStream.range(0, count)
                .mapToObj(index -> Device.gpu(index, name, memoryMb)).toList());
    }

    @Override
    public List<Device> gpus() {
        return gpus;
    }
}
