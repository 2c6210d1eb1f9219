package dev.torpor.samples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time consumed so far, in ns: by this JVM (the client: every thread, GC and JIT included), and by a
 * process with all its descendants (the router and its function processes), from /proc/PID/stat's utime and
 * stime (clock ticks of 10 ms, USER_HZ = 100 on Linux). The suite reads both at the edges of a measurement window
 * so that it can say how much of the 2 cores the load generator itself took.
 */
final class CpuClock {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CpuClock() {
    }

    static long client() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Ticks of {@code pid} and its living descendants; 0 for a pid that is gone or not given (≤ 0). */
    static long tree(long pid) {
        if (pid <= 0) {
            return 0;
        }
        long total = ticks(pid);
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(java.util.List.of())) {
            total += ticks(child.pid());
        }
        return total * NANOS_PER_TICK;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime (14), stime (15)
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
