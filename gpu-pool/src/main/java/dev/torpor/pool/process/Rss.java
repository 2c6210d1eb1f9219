package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of a process, read from {@code /proc/<pid>/status} (Linux); 0 when unknown. */
final class Rss {
    private Rss() {
    }

    static long ofMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024;
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // not Linux, or the process is gone
        }
        return 0;
    }
}
