package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory cgroups for function processes: each process gets its own child of the router's memory cgroup
 * ({@link #parent()}), with a limit; a kill by the kernel's OOM killer can be told apart from other kills.
 * cgroup v1 ({@link CgroupV1}) and v2 ({@link CgroupV2}) differ only in their files: the limit and the OOM
 * count. {@link CgroupProbe} finds which one this machine offers, if it lets the router create children.
 *
 * <p>Implementations are stateless beyond their parent path, and thread-safe.
 */
interface MemoryCgroups {
    long MIB = 1024L * 1024;

    /** The router's own memory cgroup, under which the children are created. */
    Path parent();

    /** Writes a child's memory limit (and keeps it from swapping where the kernel allows). */
    void writeLimit(Path cgroup, long bytes) throws IOException;

    /** Whether the kernel's OOM killer killed a process of {@code cgroup}; false when unknown. */
    boolean oomKilled(Path cgroup);

    /**
     * A new child named {@code name}, limited to {@code limitMb} (a refused limit is logged: the child still
     * holds the process's tasks, so they are all killed when it ends).
     */
    default Path create(String name, long limitMb) throws IOException {
        Path cgroup = parent().resolve(name);
        Files.createDirectory(cgroup);
        limit(cgroup, limitMb);
        return cgroup;
    }

    /** Sets (or changes) a child's memory limit; false when the kernel refused it or there is none to set. */
    default boolean limit(Path cgroup, long limitMb) {
        if (cgroup == null || limitMb <= 0) {
            return false;
        }
        try {
            writeLimit(cgroup, limitMb * MIB);
            return true;
        } catch (IOException refused) {
            System.getLogger(MemoryCgroups.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot set the memory limit of {0} to {1} MiB: {2}", cgroup, limitMb, refused.getMessage());
            return false;
        }
    }

    /**
     * The command prefix that puts the process into {@code cgroup} before it executes the rest: a shell
     * writes its own pid into {@code cgroup.procs}, then {@code exec}s.
     */
    static List<String> joinPrefix(Path cgroup) {
        return List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.resolve("cgroup.procs").toString());
    }

    /** Kills whatever is left in {@code cgroup} and removes it (retrying while the kernel still counts tasks). */
    static void remove(Path cgroup) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                for (String task : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                    if (!task.isBlank()) {
                        ProcessHandle.of(Long.parseLong(task.trim())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Files.delete(cgroup);
                return;
            } catch (IOException | RuntimeException busy) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Removes the empty children of routers that are gone (killed before they could remove them). Children
     * are named {@code torpor-fn-<router pid>-<slot>}.
     */
    default void removeLeftovers() {
        try (var children = Files.list(parent())) {
            for (Path child : children.toList()) {
                String[] name = child.getFileName().toString().split("-");
                if (name.length == 4 && child.getFileName().toString().startsWith("torpor-fn-")) {
                    boolean routerAlive = ProcessHandle.of(Long.parseLong(name[2])).map(ProcessHandle::isAlive)
                            .orElse(false);
                    if (!routerAlive && Files.readString(child.resolve("cgroup.procs")).isBlank()) {
                        Files.delete(child);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }

    /** Whether a {@code memory.events} or {@code memory.oom_control} text counts an {@code oom_kill}. */
    static boolean countsOomKill(String events) {
        for (String line : events.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2 && parts[0].equals("oom_kill") && Long.parseLong(parts[1]) > 0) {
                return true;
            }
        }
        return false;
    }
}
