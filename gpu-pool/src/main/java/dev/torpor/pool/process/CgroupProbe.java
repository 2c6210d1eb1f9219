package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the memory cgroup function processes' cgroups go under: the router's own, if the router may create a
 * child with a memory limit in it, and which version of cgroups it is. Stateless.
 */
final class CgroupProbe {
    private CgroupProbe() {
    }

    /**
     * The writable memory cgroup of this router under {@code root} (normally {@code /sys/fs/cgroup}), of the
     * version found there, or empty: no memory controller, or not writable by the router.
     */
    static Optional<MemoryCgroups> find(Path root) {
        Path parent = writableParent(root);
        if (parent == null) {
            return Optional.empty();
        }
        boolean v2 = Files.exists(parent.resolve("memory.max")) || Files.exists(parent.resolve("cgroup.controllers"));
        return Optional.of(v2 ? new CgroupV2(parent) : new CgroupV1(parent));
    }

    /**
     * The router's own memory cgroup, if a child with a memory limit can be created in it: cgroup v1
     * {@code memory/<own path>} (or the hierarchy's root), or cgroup v2 {@code <own path>} with the memory
     * controller. Null otherwise.
     */
    private static Path writableParent(Path root) {
        try {
            String v1 = null;
            String v2 = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length == 3 && List.of(parts[1].split(",")).contains("memory")) {
                    v1 = parts[2];
                } else if (parts.length == 3 && parts[0].equals("0") && parts[1].isEmpty()) {
                    v2 = parts[2];
                }
            }
            List<Path> candidates = new ArrayList<>();
            if (v1 != null) {
                candidates.add(root.resolve("memory").resolve(v1.substring(1)));
                candidates.add(root.resolve("memory"));
            } else if (v2 != null && Files.readString(root.resolve("cgroup.controllers")).contains("memory")) {
                candidates.add(root.resolve(v2.substring(1)));
            }
            for (Path candidate : candidates) {
                if (canCreateLimitedChild(candidate)) {
                    return candidate;
                }
            }
        } catch (IOException | RuntimeException none) {
            // no cgroups here
        }
        return null;
    }

    private static boolean canCreateLimitedChild(Path candidate) {
        Path probe = candidate.resolve("torpor-probe-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(probe);
            boolean limits = Files.exists(probe.resolve("memory.limit_in_bytes"))
                    || Files.exists(probe.resolve("memory.max"));
            Files.delete(probe);
            return limits;
        } catch (IOException | UnsupportedOperationException notWritable) {
            return false;
        }
    }
}
