package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** cgroup v2 (unified hierarchy, memory controller enabled): {@code memory.max}, {@code memory.events}. */
record CgroupV2(Path parent) implements MemoryCgroups {

    @Override
    public void writeLimit(Path cgroup, long bytes) throws IOException {
        Files.writeString(cgroup.resolve("memory.max"), Long.toString(bytes));
        if (Files.exists(cgroup.resolve("memory.swap.max"))) {
            Files.writeString(cgroup.resolve("memory.swap.max"), "0");
        }
    }

    @Override
    public boolean oomKilled(Path cgroup) {
        try {
            return MemoryCgroups.countsOomKill(Files.readString(cgroup.resolve("memory.events")));
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }
}
