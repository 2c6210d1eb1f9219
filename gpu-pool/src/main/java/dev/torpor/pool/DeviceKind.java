package dev.torpor.pool;

/** The kinds of device an instance can run on. */
public enum DeviceKind {
    CPU, GPU
}
