package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * cgroup v1's {@code memory} hierarchy: {@code memory.limit_in_bytes} (and {@code memory.memsw.limit_in_bytes}
 * where swap accounting is on), {@code memory.oom_control}.
 */
record CgroupV1(Path parent) implements MemoryCgroups {

    @Override
    public void writeLimit(Path cgroup, long bytes) throws IOException {
        // memory + swap must stay >= memory, so the order depends on the direction
        String limit = Long.toString(bytes);
        Path memory = cgroup.resolve("memory.limit_in_bytes");
        Path withSwap = cgroup.resolve("memory.memsw.limit_in_bytes");
        try {
            Files.writeString(memory, limit);
            if (Files.exists(withSwap)) {
                Files.writeString(withSwap, limit);
            }
        } catch (IOException raising) {
            if (!Files.exists(withSwap)) {
                throw raising;
            }
            Files.writeString(withSwap, limit);
            Files.writeString(memory, limit);
        }
    }

    @Override
    public boolean oomKilled(Path cgroup) {
        try {
            String events = Files.readString(cgroup.resolve("memory.oom_control"));
            // older kernels count no oom_kill: a hit limit while under OOM says the same
            return MemoryCgroups.countsOomKill(events)
                    || Long.parseLong(Files.readString(cgroup.resolve("memory.failcnt")).trim()) > 0
                    && events.contains("under_oom 1");
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }
}
