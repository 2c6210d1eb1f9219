package dev.torpor.pool.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a function process may touch, and how much memory it may use.
 *
 * <p><b>Least privilege</b> (when the router runs as root and {@code setpriv} exists): every process runs
 * as its own unprivileged uid/gid from {@code [uidBase, uidBase + uidCount)} (no supplementary groups,
 * {@code no_new_privs}), with a private {@code 0700} directory owned by that uid: {@code tmp/}, {@code ort/}
 * (its optimized-model cache) and, once it is assigned a model, {@code model/} holding a hard link (or a
 * read-only copy) of only that model version's artifact. The data dir becomes {@code 0711} (no listing)
 * and every entry in it except the ones a process needs ({@code native/}, {@code cds/}, {@code run/}, the
 * class-path links) loses its group and other permissions: the database, the store and other models are
 * unreadable to the process. Otherwise processes run as the router's user (logged once).
 *
 * <p><b>Memory</b> (when a cgroup v1 {@code memory} hierarchy or a cgroup v2 with the memory controller is
 * writable): each process is put into its own cgroup, under the router's, before it executes java (a
 * shell writes its own pid into {@code cgroup.procs}, then {@code exec}s), with the limit {@code memoryMb
 * + overheadMb}; a kill by the kernel's OOM killer is reported as exceeding the memory limit. The cgroup is
 * emptied (every task in it killed) and removed when the process ends. Otherwise the RSS watchdog only.
 *
 * <p>Thread-safe.
 */
final class Isolation {
    private static final System.Logger LOG = System.getLogger(Isolation.class.getName());
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> TRAVERSE = PosixFilePermissions.fromString("rwx--x--x");
    private static final AtomicLong SERIAL = new AtomicLong();
    private static final long MIB = 1024L * 1024;

    /** One process's share: its uid, private dir and cgroup (any may be absent). */
    record Slot(int uid, Path dir, Path cgroup) {
        boolean sandboxed() {
            return uid >= 0;
        }
    }

    private final boolean sandbox;
    private final int uidBase;
    private final int uidCount;
    private final Deque<Integer> freeUids = new ArrayDeque<>();
    private final Path slots;
    private final Path cgroupParent;
    private final boolean cgroupV2;
    /** Whether {@link #lockDown} has opened the shared dirs up (done once; later calls only hide). */
    private volatile boolean opened;

    Isolation(ProcessSettings settings, Path runDir) {
        boolean root = currentUid() == 0;
        boolean setpriv = Files.isExecutable(Path.of("/usr/bin/setpriv"));
        Path blocked = root && setpriv && settings.uidCount() > 0 ? untraversable(settings.dataDir()) : null;
        if (blocked != null) {
            LOG.log(System.Logger.Level.WARNING, "function processes run as the router's user (root): "
                    + blocked + " (a parent of the data dir) is not traversable by other users (o+x), so a "
                    + "process with its own uid could not reach its files; chmod o+x it, or set "
                    + "TORPOR_PROCESS_UID_COUNT=0 to say this is intended");
        }
        this.sandbox = root && setpriv && settings.uidCount() > 0 && blocked == null;
        this.uidBase = settings.uidBase();
        this.uidCount = settings.uidCount();
        for (int i = 0; i < uidCount && sandbox; i++) {
            freeUids.add(uidBase + i);
        }
        this.slots = runDir.resolve("fn");
        try {
            Files.createDirectories(slots);
            if (sandbox) {
                Files.setPosixFilePermissions(runDir, TRAVERSE);
                Files.setPosixFilePermissions(slots, TRAVERSE);
            }
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot prepare " + slots, unusable);
        }
        if (!sandbox && blocked == null) {
            LOG.log(System.Logger.Level.WARNING, root
                    ? "function processes run as the router's user (root): no /usr/bin/setpriv, or TORPOR_PROCESS_UID_COUNT=0"
                    : "function processes run as the router's user (uid " + currentUid() + "): "
                            + "start the router as root to give each its own unprivileged uid");
        }
        Path parent = null;
        boolean v2 = false;
        if (settings.cgroups()) {
            parent = cgroupParent(Path.of("/sys/fs/cgroup"));
            v2 = parent != null && Files.exists(parent.resolve("memory.max"))
                    || parent != null && Files.exists(parent.resolve("cgroup.controllers"));
        }
        this.cgroupParent = parent;
        this.cgroupV2 = v2;
        if (parent != null) {
            removeLeftovers(parent);
        }
        if (parent == null) {
            LOG.log(System.Logger.Level.WARNING, "no writable memory cgroup: function processes' memory is "
                    + "limited by the RSS watchdog only");
        } else {
            LOG.log(System.Logger.Level.INFO, "function processes get a memory cgroup each under {0}", parent);
        }
    }

    boolean sandboxed() {
        return sandbox;
    }

    /** Empty cgroups of routers that are gone (killed before they could remove them). */
    private static void removeLeftovers(Path parent) {
        try (var children = Files.list(parent)) {
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

    /** The first parent of {@code dataDir} that other users cannot traverse, or null. */
    static Path untraversable(Path dataDir) {
        for (Path dir = dataDir.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return dir;
                }
            } catch (IOException | UnsupportedOperationException unknown) {
                return dir;
            }
        }
        return null;
    }

    boolean cgroups() {
        return cgroupParent != null;
    }

    /**
     * The router's own memory cgroup, if a child can be created in it: cgroup v1 {@code memory/<own path>},
     * or cgroup v2 {@code <own path>} with the memory controller. Null otherwise.
     */
    static Path cgroupParent(Path root) {
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
                Path probe = candidate.resolve("torpor-probe-" + ProcessHandle.current().pid());
                try {
                    Files.createDirectory(probe);
                    boolean limits = Files.exists(probe.resolve("memory.limit_in_bytes"))
                            || Files.exists(probe.resolve("memory.max"));
                    Files.delete(probe);
                    if (limits) {
                        return candidate;
                    }
                } catch (IOException | UnsupportedOperationException notWritable) {
                    // try the next
                }
            }
        } catch (IOException | RuntimeException none) {
            // no cgroups here
        }
        return null;
    }

    /**
     * Hides the data dir from function processes: {@code 0711}, and every entry but {@code visible} loses
     * its group/other permissions; the visible ones become world-readable (they hold nothing secret).
     */
    void lockDown(Path dataDir, Collection<Path> visible) {
        if (!sandbox) {
            return;
        }
        try {
            Files.setPosixFilePermissions(dataDir, TRAVERSE);
            try (var entries = Files.list(dataDir)) {
                for (Path entry : entries.toList()) {
                    if (visible.stream().noneMatch(v -> v.normalize().equals(entry.normalize()))) {
                        if (Files.isSymbolicLink(entry)) {
                            continue;
                        }
                        var permissions = Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS);
                        boolean changed = permissions.removeAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                                PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
                        if (changed) {
                            Files.setPosixFilePermissions(entry, permissions);
                        }
                    }
                }
            }
            if (!opened) {
                opened = true;
                for (Path shared : visible) {
                    if (Files.exists(shared) && !shared.normalize().equals(slots.getParent().normalize())) {
                        readableByAll(shared);
                    }
                }
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot restrict the data dir " + dataDir, failed);
        }
    }

    /** a+rX on a tree (directories traversable, files readable), and a+x on its ancestors. */
    static void readableByAll(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(dir, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    add(file, PosixFilePermission.OTHERS_READ);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void add(Path path, PosixFilePermission... more) throws IOException {
        var permissions = Files.getPosixFilePermissions(path);
        if (!permissions.containsAll(List.of(more))) {
            permissions.addAll(List.of(more));
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    /**
     * The class path as a process can read it: entries another uid cannot reach (e.g. jars under
     * {@code /root/.m2}) are hard-linked (or copied) into {@code linkDir}.
     */
    String classPath(String classPath, Path linkDir) {
        if (!sandbox) {
            return classPath;
        }
        List<String> entries = new ArrayList<>();
        try {
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                Path path = Path.of(entry).toAbsolutePath();
                if (!Files.isRegularFile(path) || reachableByOthers(path)) {
                    entries.add(entry);
                    continue;
                }
                Files.createDirectories(linkDir);
                String name = Integer.toHexString(path.getParent().toString().hashCode()) + "-" + path.getFileName();
                Path linked = linkDir.resolve(name);
                if (!Files.exists(linked) || Files.size(linked) != Files.size(path)) {
                    linkOrCopy(path, linked);
                }
                entries.add(linked.toString());
            }
            if (Files.isDirectory(linkDir)) {
                readableByAll(linkDir);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot make the class path readable to function processes", failed);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Whether a uid that is neither owner nor in the group can read {@code file}. */
    static boolean reachableByOthers(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path dir = file.getParent(); dir != null; dir = dir.getParent()) {
            if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        Path temporary = to.resolveSibling(to.getFileName() + "." + SERIAL.incrementAndGet() + ".tmp");
        try {
            Files.createLink(temporary, from);
        } catch (IOException | UnsupportedOperationException crossDevice) {
            Files.copy(from, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("r--r--r--"));
        }
        Files.move(temporary, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A new slot: a uid (when sandboxed), its private dir, its cgroup with {@code memoryLimitMb}. */
    synchronized Slot open(long memoryLimitMb) throws IOException {
        int uid = -1;
        if (sandbox) {
            Integer free = freeUids.poll();
            if (free == null) {
                throw new IOException("all " + uidCount + " function process uids are in use");
            }
            uid = free;
        }
        Path dir = slots.resolve("p" + SERIAL.incrementAndGet());
        deleteTree(dir);
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("ort"));
        Files.createDirectories(dir.resolve("model"));
        if (uid >= 0) {
            for (Path path : List.of(dir, dir.resolve("tmp"), dir.resolve("ort"))) {
                Files.setAttribute(path, "unix:uid", uid);
                Files.setAttribute(path, "unix:gid", uid);
                Files.setPosixFilePermissions(path, PRIVATE);
            }
            // model/ stays the router's: the process reads it, cannot change it.
            Files.setAttribute(dir.resolve("model"), "unix:gid", uid);
            Files.setPosixFilePermissions(dir.resolve("model"), PosixFilePermissions.fromString("rwxr-x---"));
        }
        Path cgroup = null;
        if (cgroupParent != null) {
            cgroup = cgroupParent.resolve("torpor-fn-" + ProcessHandle.current().pid() + "-" + dir.getFileName());
            try {
                Files.createDirectory(cgroup);
                limit(new Slot(uid, dir, cgroup), memoryLimitMb);
            } catch (IOException failed) {
                LOG.log(System.Logger.Level.WARNING, "cannot create the memory cgroup {0}: {1}", cgroup,
                        failed.getMessage());
                cgroup = null;
            }
        }
        return new Slot(uid, dir, cgroup);
    }

    /** Sets (or changes) the slot's memory limit; false when the kernel refused it. */
    boolean limit(Slot slot, long memoryLimitMb) {
        if (slot.cgroup() == null || memoryLimitMb <= 0) {
            return false;
        }
        try {
            String bytes = Long.toString(memoryLimitMb * MIB);
            if (cgroupV2) {
                Files.writeString(slot.cgroup().resolve("memory.max"), bytes);
                if (Files.exists(slot.cgroup().resolve("memory.swap.max"))) {
                    Files.writeString(slot.cgroup().resolve("memory.swap.max"), "0");
                }
                return true;
            }
            // v1: memory + swap must stay >= memory, so the order depends on the direction
            Path memory = slot.cgroup().resolve("memory.limit_in_bytes");
            Path withSwap = slot.cgroup().resolve("memory.memsw.limit_in_bytes");
            try {
                Files.writeString(memory, bytes);
                if (Files.exists(withSwap)) {
                    Files.writeString(withSwap, bytes);
                }
            } catch (IOException raising) {
                if (!Files.exists(withSwap)) {
                    throw raising;
                }
                Files.writeString(withSwap, bytes);
                Files.writeString(memory, bytes);
            }
            return true;
        } catch (IOException refused) {
            LOG.log(System.Logger.Level.WARNING, "cannot set the memory limit of {0} to {1} MiB: {2}", slot.cgroup(),
                    memoryLimitMb, refused.getMessage());
            return false;
        }
    }

    /** The command prefix that puts the process into its cgroup and drops to its uid. */
    List<String> prefix(Slot slot) {
        List<String> prefix = new ArrayList<>();
        if (slot.cgroup() != null) {
            prefix.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
                    slot.cgroup().resolve("cgroup.procs").toString()));
        }
        if (slot.sandboxed()) {
            prefix.addAll(List.of("/usr/bin/setpriv", "--reuid=" + slot.uid(), "--regid=" + slot.uid(),
                    "--clear-groups", "--no-new-privs", "--"));
        }
        return prefix;
    }

    /**
     * Gives the slot's process its model version: hard links (or read-only copies) of the version's files
     * in model/ (an engine may read files next to the artifact: DJL's model.json); returns the artifact there.
     *
     * @param file the artifact's path relative to its version dir (the manifest's {@code file})
     */
    Path provide(Slot slot, Path artifactPath, String file) throws IOException {
        if (!slot.sandboxed()) {
            return artifactPath.toAbsolutePath();
        }
        Path relative = Path.of(file).normalize();
        Path artifact = artifactPath.toAbsolutePath();
        for (int i = 0; i < relative.getNameCount() && artifact.getParent() != null; i++) {
            artifact = artifact.getParent();
        }
        Path target = slot.dir().resolve("model");
        Path version = artifact;
        {
            Files.walkFileTree(version, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path copy = target.resolve(version.relativize(dir).toString());
                    Files.createDirectories(copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    readOnlyCopy(file, target.resolve(version.relativize(file).toString()));
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-x---"));
        return target.resolve(relative.toString());
    }

    /** A hard link when the file is the router's and not writable by others, else a copy; readable by all. */
    private static void readOnlyCopy(Path from, Path to) throws IOException {
        var permissions = Files.getPosixFilePermissions(from);
        Object owner = Files.getAttribute(from, "unix:uid");
        boolean linkable = Integer.valueOf(0).equals(owner)
                && !permissions.contains(PosixFilePermission.GROUP_WRITE)
                && !permissions.contains(PosixFilePermission.OTHERS_WRITE)
                && permissions.contains(PosixFilePermission.OTHERS_READ);
        if (linkable) {
            try {
                Files.createLink(to, from);
                return;
            } catch (IOException | UnsupportedOperationException crossDevice) {
                // copy
            }
        }
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("r--r--r--"));
    }

    /** Whether the kernel's OOM killer killed a process of the slot's cgroup. */
    boolean oomKilled(Slot slot) {
        if (slot.cgroup() == null) {
            return false;
        }
        try {
            String events = Files.readString(slot.cgroup().resolve(cgroupV2 ? "memory.events" : "memory.oom_control"));
            for (String line : events.split("\n")) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2 && parts[0].equals("oom_kill") && Long.parseLong(parts[1]) > 0) {
                    return true;
                }
            }
            if (!cgroupV2) {
                return Long.parseLong(Files.readString(slot.cgroup().resolve("memory.failcnt")).trim()) > 0
                        && events.contains("under_oom 1");
            }
        } catch (IOException | RuntimeException unreadable) {
            // not known
        }
        return false;
    }

    /** Ends the slot: kills whatever is left in its cgroup, removes it and the private dir, frees the uid. */
    void close(Slot slot) {
        if (slot.cgroup() != null) {
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    List<String> tasks = Files.readAllLines(slot.cgroup().resolve("cgroup.procs"));
                    for (String task : tasks) {
                        if (!task.isBlank()) {
                            ProcessHandle.of(Long.parseLong(task.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    Files.delete(slot.cgroup());
                    break;
                } catch (IOException | RuntimeException busy) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        deleteTree(slot.dir());
        if (slot.sandboxed()) {
            synchronized (this) {
                freeUids.add(slot.uid());
            }
        }
    }

    static void deleteTree(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // left behind: harmless
        }
    }

    /** The real uid of this process (from /proc), or -1. */
    static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // not Linux
        }
        return -1;
    }

    /** The uid a process runs as now (from /proc), or -1. */
    static int uidOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // gone
        }
        return -1;
    }
}
