package dev.torpor.pool;

/**
 * What operators allow the pool to use (API.md "Pool — for operators"). Every field is a ceiling; {@code null}
 * means no limit beyond the devices themselves. Validated on construction: counts and memory are ≥ 0, the
 * idle timeout ≥ 1 s.
 *
 * @param maxInstances              instances on all devices together (LOADING, READY and DRAINING count)
 * @param maxInstancesPerModel      instances of one model version (a model's own {@code maxInstances} may be lower)
 * @param cpuMaxInstances           instances on the CPU device
 * @param cpuMemoryMb               memory of the instances on the CPU device, MiB
 * @param gpuMaxInstancesPerDevice  instances on each GPU
 * @param gpuMemoryMbPerDevice      memory of the instances on each GPU, MiB
 * @param maxQueuedTotal            requests waiting for capacity across every model
 * @param defaultIdleTimeoutSeconds the idle timeout of models whose config sets none ({@code null}: the
 *                                  environment's default)
 */
public record PoolLimits(
        Integer maxInstances,
        Integer maxInstancesPerModel,
        Integer cpuMaxInstances,
        Long cpuMemoryMb,
        Integer gpuMaxInstancesPerDevice,
        Long gpuMemoryMbPerDevice,
        Integer maxQueuedTotal,
        Long defaultIdleTimeoutSeconds) {

    /** No limit at all beyond the devices. */
    public static final PoolLimits UNLIMITED = new PoolLimits(null, null, null, null, null, null, null, null);

    public PoolLimits {
        atLeast(maxInstances, 0, "maxInstances");
        atLeast(maxInstancesPerModel, 0, "maxInstancesPerModel");
        atLeast(cpuMaxInstances, 0, "cpu.maxInstances");
        atLeast(cpuMemoryMb, 0, "cpu.memoryMb");
        atLeast(gpuMaxInstancesPerDevice, 0, "gpu.maxInstancesPerDevice");
        atLeast(gpuMemoryMbPerDevice, 0, "gpu.memoryMbPerDevice");
        atLeast(maxQueuedTotal, 0, "maxQueuedTotal");
        atLeast(defaultIdleTimeoutSeconds, 1, "defaultIdleTimeoutSeconds");
    }

    private static void atLeast(Number value, long minimum, String field) {
        if (value != null && value.longValue() < minimum) {
            throw new InvalidLimit(field, field + " must be at least " + minimum + "; got " + value);
        }
    }

    /** The instance count a device may hold, or {@link Integer#MAX_VALUE} for no limit. */
    public int maxInstancesOn(Device device) {
        Integer limit = device.isGpu() ? gpuMaxInstancesPerDevice : cpuMaxInstances;
        return limit == null ? Integer.MAX_VALUE : limit;
    }

    /** The memory instances on a device may use: the device's budget, lowered by the operators' limit. */
    public long memoryMbOn(Device device) {
        Long limit = device.isGpu() ? gpuMemoryMbPerDevice : cpuMemoryMb;
        return limit == null ? device.memoryMbTotal() : Math.min(limit, device.memoryMbTotal());
    }

    public int totalInstances() {
        return maxInstances == null ? Integer.MAX_VALUE : maxInstances;
    }

    public int instancesPerModel() {
        return maxInstancesPerModel == null ? Integer.MAX_VALUE : maxInstancesPerModel;
    }

    public int queuedTotal() {
        return maxQueuedTotal == null ? Integer.MAX_VALUE : maxQueuedTotal;
    }

    /** A limit that does not hold; {@code field} is its name in the limits document. */
    public static final class InvalidLimit extends IllegalArgumentException {
        private final String field;

        public InvalidLimit(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
