package dev.torpor.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory of a process as Linux reports it in {@code /proc/<pid>/status}.
 *
 * <p>{@code VmRSS} is the resident set size now: pages of the process that are in RAM (Java heap that has been
 * touched, metaspace, code cache, thread stacks, native memory of ONNX Runtime, mapped jar files...). A JVM
 * rarely returns heap to the OS, so RSS after unloading a model says what the process keeps, not what is
 * garbage. {@code VmHWM} ("high water mark") is the largest RSS the process has had since it started.
 */
record ProcStatus(long rssKb, long hwmKb) {

    static ProcStatus read(long pid) {
        Path file = Path.of("/proc", Long.toString(pid), "status");
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kilobytes(line);
                }
            }
            if (rss < 0 || hwm < 0) {
                throw new IllegalStateException("no VmRSS/VmHWM in " + file);
            }
            return new ProcStatus(rss, hwm);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (is this Linux, is the process alive?)", e);
        }
    }

    /** The sum over {@code pids} (a router and its descendants); a process that exited meanwhile counts nothing. */
    static ProcStatus ofTree(List<Long> pids) {
        ProcStatus total = read(pids.get(0));
        for (long pid : pids.subList(1, pids.size())) {
            try {
                ProcStatus one = read(pid);
                total = new ProcStatus(total.rssKb() + one.rssKb(), total.hwmKb() + one.hwmKb());
            } catch (IllegalStateException gone) {
                // exited between listing and reading
            }
        }
        return total;
    }

    /** "VmRSS:	  123456 kB" → 123456. */
    private static long kilobytes(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
    }

    double rssMib() {
        return rssKb / 1024.0;
    }

    double hwmMib() {
        return hwmKb / 1024.0;
    }
}
