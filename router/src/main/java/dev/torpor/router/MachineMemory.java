package dev.torpor.router;

import java.lang.management.ManagementFactory;

/** The machine's physical memory, as the JVM reports it. */
final class MachineMemory {

    private MachineMemory() {
    }

    /** Total physical memory in MiB (the JVM's own limit where the platform does not say), at least 1. */
    static long totalMb() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize()
                : Runtime.getRuntime().maxMemory();
        return Math.max(1, total / (1024 * 1024));
    }

    /** The default CPU memory budget for instances: three quarters of the machine. */
    static long threeQuartersMb() {
        return Math.max(1, totalMb() * 3 / 4);
    }
}
