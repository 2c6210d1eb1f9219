package dev.torpor.pool;

import java.util.Objects;

/**
 * What a new instance needs.
 *
 * @param model             the model version, {@code name/version}
 * @param preference        the kinds of device it may run on (the model config's {@code device})
 * @param memoryMb          the memory it is accounted for on its device
 * @param modelMaxInstances the model config's {@code maxInstances}
 * @param gpuUsable         false once a GPU instance of this model failed to start: {@code any} then means CPU
 */
public record PlacementRequest(String model, DevicePreference preference, long memoryMb, int modelMaxInstances,
                               boolean gpuUsable) {

    public PlacementRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(preference, "preference");
        if (memoryMb < 0) {
            throw new IllegalArgumentException("memoryMb must not be negative");
        }
    }
}
