package dev.torpor.pool;

import dev.torpor.pool.PlacementDecision.Place;
import dev.torpor.pool.PlacementDecision.Refuse;
import dev.torpor.pool.PlacementDecision.Wait;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the device for a new instance: a pure function of what the instance needs, a snapshot of the pool
 * and the operators' limits. In order:
 * <ol>
 *   <li><b>Refuse</b> when it could not fit even in an empty pool (no device of the wanted kind, a limit of 0,
 *       more memory than any allowed device offers).</li>
 *   <li><b>Wait</b> when its model version already has as many live instances as it may.</li>
 *   <li><b>Place</b> on a device where it fits now: the preferred kind first ({@code any} prefers a GPU), then
 *       best fit (the device left with the least free memory, so large holes stay free for large models).</li>
 *   <li><b>Place after evicting</b> idle instances of other models, least recently used first, never a busy one
 *       and never below a model's {@code minInstances}; the device needing the fewest evictions wins.</li>
 *   <li>Otherwise <b>Wait</b> until capacity frees.</li>
 * </ol>
 * {@link #surplus} is the other half: which instances to drain when limits are lowered.
 */
public final class Placement {

    private Placement() {
    }

    public static PlacementDecision place(PlacementRequest request, PoolState state, PoolLimits limits) {
        List<Device> candidates = candidates(request, state);
        if (candidates.isEmpty()) {
            return new Refuse(request.preference() == DevicePreference.CPU ? "the pool has no CPU device"
                    : request.gpuUsable() ? "no GPU device in the pool for a model configured with device '"
                    + request.preference() + "'" : "the GPU could not start model " + request.model());
        }
        if (limits.totalInstances() == 0) {
            return new Refuse("the pool's limit maxInstances is 0");
        }
        int modelCap = Math.min(limits.instancesPerModel(), request.modelMaxInstances());
        if (modelCap == 0) {
            return new Refuse("the pool's limit maxInstancesPerModel is 0");
        }
        List<Device> possible = candidates.stream()
                .filter(device -> limits.maxInstancesOn(device) >= 1 && limits.memoryMbOn(device) >= request.memoryMb())
                .toList();
        if (possible.isEmpty()) {
            return new Refuse(neverFits(request, candidates, limits));
        }
        int live = state.liveInstancesOf(request.model());
        if (live >= modelCap) {
            return new Wait("model " + request.model() + " has " + live + " instances, its limit ("
                    + (modelCap == request.modelMaxInstances() ? "maxInstances " : "the pool's maxInstancesPerModel ")
                    + modelCap + ")");
        }
        Device best = null;
        for (Device device : possible) {
            if (fits(request, device, state, limits, List.of()) && (best == null || better(device, best, request, state, limits))) {
                best = device;
            }
        }
        if (best != null) {
            return new Place(best, List.of());
        }
        Device target = null;
        List<String> victims = null;
        for (Device device : possible) {
            List<String> needed = evictionFor(request, device, state, limits);
            if (needed != null && (victims == null || rank(device, request) < rank(target, request)
                    || rank(device, request) == rank(target, request) && needed.size() < victims.size())) {
                target = device;
                victims = needed;
            }
        }
        if (target != null) {
            return new Place(target, victims);
        }
        return new Wait(whyNotNow(request, possible.get(0), state, limits));
    }

    /** The devices the preference allows, in preference order. */
    private static List<Device> candidates(PlacementRequest request, PoolState state) {
        List<Device> gpus = request.gpuUsable() ? state.devices().stream().filter(Device::isGpu).toList() : List.of();
        List<Device> cpus = state.devices().stream().filter(device -> !device.isGpu()).toList();
        return switch (request.preference()) {
            case CPU -> cpus;
            case GPU -> gpus;
            case ANY -> {
                List<Device> both = new ArrayList<>(gpus);
                both.addAll(cpus);
                yield both;
            }
        };
    }

    private static int rank(Device device, PlacementRequest request) {
        return request.preference() == DevicePreference.ANY && !device.isGpu() ? 1 : 0;
    }

    private static boolean better(Device device, Device best, PlacementRequest request, PoolState state, PoolLimits limits) {
        if (rank(device, request) != rank(best, request)) {
            return rank(device, request) < rank(best, request);
        }
        long left = free(device, state, limits) - request.memoryMb();
        long bestLeft = free(best, state, limits) - request.memoryMb();
        return left < bestLeft || left == bestLeft && device.id().compareTo(best.id()) < 0;
    }

    private static long free(Device device, PoolState state, PoolLimits limits) {
        return limits.memoryMbOn(device) - state.memoryMbUsed(device.id());
    }

    /** Whether the request fits on the device once the {@code removed} instances are gone. */
    private static boolean fits(PlacementRequest request, Device device, PoolState state, PoolLimits limits,
                                List<PooledInstance> removed) {
        int total = state.instances().size() - removed.size();
        int onDevice = state.instancesOn(device.id());
        long used = state.memoryMbUsed(device.id());
        for (PooledInstance gone : removed) {
            if (gone.deviceId().equals(device.id())) {
                onDevice--;
                used -= gone.memoryMb();
            }
        }
        return total + 1 <= limits.totalInstances() && onDevice + 1 <= limits.maxInstancesOn(device)
                && used + request.memoryMb() <= limits.memoryMbOn(device);
    }

    /** The least recently used idle instances whose eviction makes room on the device; null when none can. */
    private static List<String> evictionFor(PlacementRequest request, Device device, PoolState state, PoolLimits limits) {
        List<PooledInstance> idle = state.instances().stream()
                .filter(instance -> instance.isIdle() && !instance.model().equals(request.model()))
                .sorted(Comparator.comparing(PooledInstance::idleSince, Comparator.nullsLast(Instant::compareTo))
                        .thenComparing(PooledInstance::id))
                .toList();
        List<PooledInstance> removed = new ArrayList<>();
        Map<String, Integer> removedPerModel = new HashMap<>();
        for (PooledInstance victim : idle) {
            if (fits(request, device, state, limits, removed)) {
                break;
            }
            int leftOfModel = state.liveInstancesOf(victim.model()) - removedPerModel.getOrDefault(victim.model(), 0);
            if (leftOfModel - 1 < state.keepWarm(victim.model()) || !helps(victim, request, device, state, limits, removed)) {
                continue;
            }
            removed.add(victim);
            removedPerModel.merge(victim.model(), 1, Integer::sum);
        }
        return fits(request, device, state, limits, removed) && !removed.isEmpty()
                ? removed.stream().map(PooledInstance::id).toList() : null;
    }

    /** Whether evicting the instance frees something the request still lacks. */
    private static boolean helps(PooledInstance victim, PlacementRequest request, Device device, PoolState state,
                                 PoolLimits limits, List<PooledInstance> removed) {
        boolean totalShort = state.instances().size() - removed.size() + 1 > limits.totalInstances();
        if (totalShort) {
            return true; // any instance anywhere frees a slot of the pool
        }
        return victim.deviceId().equals(device.id());
    }

    private static String neverFits(PlacementRequest request, List<Device> candidates, PoolLimits limits) {
        Device largest = candidates.stream().max(Comparator.comparingLong(limits::memoryMbOn)).orElseThrow();
        if (limits.maxInstancesOn(largest) == 0 && candidates.stream().allMatch(d -> limits.maxInstancesOn(d) == 0)) {
            return "the pool's limit " + (largest.isGpu() ? "gpu.maxInstancesPerDevice" : "cpu.maxInstances") + " is 0";
        }
        String limitName = largest.isGpu() ? "gpu.memoryMbPerDevice" : "cpu.memoryMb";
        return "model " + request.model() + " needs " + request.memoryMb() + " MiB; the most any allowed device offers is "
                + limits.memoryMbOn(largest) + " MiB (" + largest.id() + ", device memory " + largest.memoryMbTotal()
                + " MiB, limit " + limitName + ")";
    }

    private static String whyNotNow(PlacementRequest request, Device device, PoolState state, PoolLimits limits) {
        if (state.instances().size() + 1 > limits.totalInstances()) {
            return "the pool has " + state.instances().size() + " instances, its limit (maxInstances "
                    + limits.totalInstances() + "), and none of another model is idle";
        }
        if (state.instancesOn(device.id()) + 1 > limits.maxInstancesOn(device)) {
            return device.id() + " has " + state.instancesOn(device.id()) + " instances, its limit, and none of another"
                    + " model is idle";
        }
        return device.id() + " has " + free(device, state, limits) + " MiB free of " + limits.memoryMbOn(device)
                + " and model " + request.model() + " needs " + request.memoryMb() + " MiB; not enough is idle to evict";
    }

    /**
     * The live instances to drain so that the pool honours (lowered) limits: the fewest needed, idle ones
     * first (least recently used first), then the least busy, loading ones last. Draining never stops a request
     * in flight: a busy instance takes nothing new and stops when its requests finish.
     */
    public static List<String> surplus(PoolState state, PoolLimits limits) {
        List<PooledInstance> live = new ArrayList<>(state.instances().stream().filter(PooledInstance::isLive)
                .sorted(Comparator.comparingInt((PooledInstance i) -> i.phase() == PooledInstance.Phase.LOADING ? 2
                                : i.isIdle() ? 0 : 1)
                        .thenComparing(PooledInstance::idleSince, Comparator.nullsLast(Instant::compareTo))
                        .thenComparingInt(PooledInstance::inFlight)
                        .thenComparing(PooledInstance::id))
                .toList());
        List<String> drain = new ArrayList<>();
        while (true) {
            PooledInstance victim = null;
            for (PooledInstance candidate : live) {
                if (overLimit(candidate, live, state, limits)) {
                    victim = candidate;
                    break;
                }
            }
            if (victim == null) {
                return drain;
            }
            live.remove(victim);
            drain.add(victim.id());
        }
    }

    /** Whether the candidate belongs to a group (the pool, its model, its device) over a limit. */
    private static boolean overLimit(PooledInstance candidate, List<PooledInstance> live, PoolState state,
                                     PoolLimits limits) {
        if (live.size() > limits.totalInstances()) {
            return true;
        }
        if (live.stream().filter(i -> i.model().equals(candidate.model())).count() > limits.instancesPerModel()) {
            return true;
        }
        Device device = state.device(candidate.deviceId());
        List<PooledInstance> onDevice = live.stream().filter(i -> i.deviceId().equals(device.id())).toList();
        return onDevice.size() > limits.maxInstancesOn(device)
                || onDevice.stream().mapToLong(PooledInstance::memoryMb).sum() > limits.memoryMbOn(device);
    }
}
