package dev.torpor.samples.growth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Resident memory as Linux reports it ({@code VmRSS} in {@code /proc/<pid>/status}): the pages of a process
 * that are in RAM now — touched Java heap, metaspace, code, thread stacks, native memory of the engines,
 * mapped files. A JVM rarely gives heap back, so RSS says what a process holds, not what it still uses.
 *
 * <p>RSS counts a shared page (libjvm.so, the CDS archives, libonnxruntime.so: ~40 MiB in a function process)
 * in every process that maps it, so a sum of RSS over processes overstates what they take together; PSS
 * ({@code /proc/<pid>/smaps_rollup}) divides each shared page among its sharers and sums to the truth.
 */
final class Rss {
    private Rss() {
    }

    /** Summed over {@code pids}, in KiB; a process that exited meanwhile counts 0. */
    static long kib(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            total += kib(pid);
        }
        return total;
    }

    /** Proportional set size summed over {@code pids}, in KiB; a process that exited meanwhile counts 0. */
    static long pssKib(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            total += field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
        }
        return total;
    }

    static long kib(long pid) {
        return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    private static long field(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return parseKib(line);
                }
            }
            return 0; // a zombie has neither
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (is this Linux?)", e);
        }
    }

    /** "VmRSS:	  123456 kB" → 123456. */
    static long parseKib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).strip().split("\\s+");
        return Long.parseLong(parts[0]);
    }
}
