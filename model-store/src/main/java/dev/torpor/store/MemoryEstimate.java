package dev.torpor.store;

/**
 * The documented rule for an instance's memory when the model config leaves {@code memoryMb} null:
 * a fixed 64 MiB for the engine's own runtime (arenas, thread stacks, JNI state) plus twice the
 * artifact's size (the weights, once as loaded and once in the engine's optimised graph), rounded up
 * to whole MiB.
 */
public final class MemoryEstimate {
    public static final long BASE_MB = 64;
    private static final long MIB = 1024 * 1024;

    private MemoryEstimate() {
    }

    public static long forArtifactBytes(long sizeBytes) {
        return BASE_MB + (2 * sizeBytes + MIB - 1) / MIB;
    }
}
