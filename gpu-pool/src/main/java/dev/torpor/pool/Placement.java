package dev.torpor.pool;

import dev.torpor.error.CapacityExhausted;
import java.time.Duration;
import java.util.List;

/**
 * Chooses the device for a new instance: a pure function of the model's device preference and the pool's
 * devices. This first version knows devices, not yet their load or the operators' limits (the pool issue
 * adds memory bin-packing and limits behind this same call).
 */
public final class Placement {
    private static final Duration RETRY = Duration.ofSeconds(5);

    private Placement() {
    }

    /**
     * @param preference {@code cpu}, {@code gpu} or {@code any} (GPU first when one exists)
     * @throws CapacityExhausted when no device of the wanted kind exists
     */
    public static Device choose(String preference, List<Device> devices) {
        DeviceKind wanted = switch (preference) {
            case "cpu" -> DeviceKind.CPU;
            case "gpu" -> DeviceKind.GPU;
            case "any" -> devices.stream().anyMatch(d -> d.kind() == DeviceKind.GPU) ? DeviceKind.GPU : DeviceKind.CPU;
            default -> throw new IllegalArgumentException("unknown device preference " + preference);
        };
        return devices.stream()
                .filter(device -> device.kind() == wanted)
                .findFirst()
                .orElseThrow(() -> new CapacityExhausted("no " + wanted + " device in the pool for a model configured with"
                        + " device '" + preference + "'", RETRY));
    }
}
