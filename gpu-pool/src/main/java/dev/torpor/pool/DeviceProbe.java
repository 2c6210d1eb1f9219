package dev.torpor.pool;

import java.util.List;

/**
 * Finds the GPUs instances may run on, once at start-up. An empty list means the pool is CPU only.
 * Implementations never throw for a machine without GPUs: they say so (once) and return nothing.
 */
public interface DeviceProbe {

    List<Device> gpus();
}
