package dev.torpor.pool;

import java.time.Instant;
import java.util.Objects;

/**
 * One instance as the pool accounts for it, in a {@link PoolState} snapshot. An instance holds its device's
 * memory from launch until it has stopped: a STOPPING one still counts, and can no longer be evicted.
 *
 * @param model     the model version it serves, {@code name/version}
 * @param idleSince when its last request finished; null while busy or not READY
 */
public record PooledInstance(String id, String model, String deviceId, long memoryMb, Phase phase, int inFlight,
                             Instant idleSince) {

    /** Where an instance is in its life, for the pool. */
    public enum Phase {
        LOADING, READY, DRAINING, STOPPING
    }

    public PooledInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(phase, "phase");
    }

    /** Whether it serves, or will serve, requests: LOADING or READY. */
    public boolean isLive() {
        return phase == Phase.LOADING || phase == Phase.READY;
    }

    /** READY with nothing in flight. */
    public boolean isIdle() {
        return phase == Phase.READY && inFlight == 0 && idleSince != null;
    }
}
