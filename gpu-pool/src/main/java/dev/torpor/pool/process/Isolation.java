package dev.torpor.pool.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a function process may touch, and how much memory it may use: hands each process a {@link Slot} and
 * takes it back. The parts, each in its own class:
 * <ul>
 * <li><b>Least privilege</b> ({@link UidPool}, {@link Setpriv}): when the router runs as root and
 *     {@code setpriv} exists, every process runs as its own unprivileged uid/gid with a private {@code 0700}
 *     directory ({@link ProcessDataDir.SlotDir}); {@link DataDirLockdown} hides the rest of the data dir,
 *     {@link ClassPathLinks} makes the class path readable, {@link ModelFiles} gives it only its own model.
 *     Otherwise processes run as the router's user (logged once).</li>
 * <li><b>Memory</b> ({@link MemoryCgroups}, v1 or v2 as {@link CgroupProbe} finds): each process is put into
 *     its own cgroup, under the router's, before it executes java, with the limit {@code memoryMb +
 *     overheadMb}; a kill by the kernel's OOM killer is reported as exceeding the memory limit. The cgroup is
 *     emptied (every task in it killed) and removed when the process ends. Otherwise the RSS watchdog only.</li>
 * </ul>
 * Created by {@link #prepare}, which creates the slots' directory and probes the machine.
 *
 * <p>Thread-safe.
 */
final class Isolation {
    private static final System.Logger LOG = System.getLogger(Isolation.class.getName());
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final AtomicLong SERIAL = new AtomicLong();

    /** One process's share: its uid (-1: the router's), private dir and cgroup (null: none). */
    record Slot(int uid, ProcessDataDir.SlotDir dir, Path cgroup) {
        boolean sandboxed() {
            return uid >= 0;
        }
    }

    private final ProcessDataDir dirs;
    private final UidPool uids;
    private final MemoryCgroups cgroups;
    private final DataDirLockdown lockdown;

    private Isolation(ProcessDataDir dirs, UidPool uids, MemoryCgroups cgroups) {
        this.dirs = dirs;
        this.uids = uids;
        this.cgroups = cgroups;
        this.lockdown = new DataDirLockdown(dirs);
    }

    /**
     * Decides what this machine allows (own uids, memory cgroups), creates the slots' directory, and removes
     * cgroups that killed routers left behind.
     */
    static Isolation prepare(ProcessSettings settings, ProcessDataDir dirs) {
        UidPool uids = UidPool.forSettings(settings);
        try {
            Files.createDirectories(dirs.slots());
            if (uids.enabled()) {
                // the processes reach their own dirs, cannot list the others
                Files.setPosixFilePermissions(dirs.run(), DataDirLockdown.TRAVERSE);
                Files.setPosixFilePermissions(dirs.slots(), DataDirLockdown.TRAVERSE);
            }
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot prepare " + dirs.slots(), unusable);
        }
        Optional<MemoryCgroups> cgroups = settings.cgroups() ? CgroupProbe.find(Path.of("/sys/fs/cgroup"))
                : Optional.empty();
        cgroups.ifPresentOrElse(found -> {
            found.removeLeftovers();
            LOG.log(System.Logger.Level.INFO, "function processes get a memory cgroup each under {0}", found.parent());
        }, () -> LOG.log(System.Logger.Level.WARNING, "no writable memory cgroup: function processes' memory is "
                + "limited by the RSS watchdog only"));
        return new Isolation(dirs, uids, cgroups.orElse(null));
    }

    /** Whether processes run as their own uids. */
    boolean sandboxed() {
        return uids.enabled();
    }

    /** Whether processes get a memory cgroup each. */
    boolean cgroups() {
        return cgroups != null;
    }

    /** The class path as processes can read it (see {@link ClassPathLinks}); unchanged when not sandboxed. */
    String classPath(String classPath) {
        return sandboxed() ? ClassPathLinks.readable(classPath, dirs.classPathLinks()) : classPath;
    }

    /** Hides the data dir from processes (see {@link DataDirLockdown}); nothing when not sandboxed. */
    void lockDown() {
        if (sandboxed()) {
            lockdown.run();
        }
    }

    /** A new slot: a uid (when sandboxed), its private dir, its cgroup with {@code memoryLimitMb}. */
    Slot open(long memoryLimitMb) throws IOException {
        int uid = uids.take();
        ProcessDataDir.SlotDir dir = dirs.slot(SERIAL.incrementAndGet());
        try {
            createPrivateDir(dir, uid);
        } catch (IOException | RuntimeException failed) {
            uids.release(uid);
            throw failed;
        }
        Path cgroup = null;
        if (cgroups != null) {
            String name = "torpor-fn-" + ProcessHandle.current().pid() + "-" + dir.name();
            try {
                cgroup = cgroups.create(name, memoryLimitMb);
            } catch (IOException failed) {
                LOG.log(System.Logger.Level.WARNING, "cannot create the memory cgroup {0}: {1}",
                        cgroups.parent().resolve(name), failed.getMessage());
            }
        }
        return new Slot(uid, dir, cgroup);
    }

    private static void createPrivateDir(ProcessDataDir.SlotDir dir, int uid) throws IOException {
        PosixTrees.deleteTree(dir.root());
        Files.createDirectories(dir.tmp());
        Files.createDirectories(dir.ort());
        Files.createDirectories(dir.model());
        if (uid >= 0) {
            for (Path path : List.of(dir.root(), dir.tmp(), dir.ort())) {
                Files.setAttribute(path, "unix:uid", uid);
                Files.setAttribute(path, "unix:gid", uid);
                Files.setPosixFilePermissions(path, PRIVATE);
            }
            // model/ stays the router's: the process reads it, cannot change it.
            Files.setAttribute(dir.model(), "unix:gid", uid);
            Files.setPosixFilePermissions(dir.model(), PosixFilePermissions.fromString("rwxr-x---"));
        }
    }

    /** Sets (or changes) the slot's memory limit; false when there is no cgroup or the kernel refused it. */
    boolean limit(Slot slot, long memoryLimitMb) {
        return cgroups != null && cgroups.limit(slot.cgroup(), memoryLimitMb);
    }

    /** The command prefix that puts the process into its cgroup and drops to its uid. */
    List<String> prefix(Slot slot) {
        List<String> prefix = new ArrayList<>();
        if (slot.cgroup() != null) {
            prefix.addAll(MemoryCgroups.joinPrefix(slot.cgroup()));
        }
        if (slot.sandboxed()) {
            prefix.addAll(Setpriv.prefix(slot.uid()));
        }
        return prefix;
    }

    /** Whether the kernel's OOM killer killed a process of the slot's cgroup. */
    boolean oomKilled(Slot slot) {
        return slot.cgroup() != null && cgroups.oomKilled(slot.cgroup());
    }

    /** Ends the slot: kills whatever is left in its cgroup, removes it and the private dir, frees the uid. */
    void close(Slot slot) {
        if (slot.cgroup() != null) {
            MemoryCgroups.remove(slot.cgroup());
        }
        PosixTrees.deleteTree(slot.dir().root());
        uids.release(slot.uid());
    }
}
