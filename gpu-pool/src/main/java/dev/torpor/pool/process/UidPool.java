package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The unprivileged uids function processes run as, one per live process, from {@code [uidBase, uidBase +
 * uidCount)} (each process's gid is its uid). {@link #forSettings} decides whether processes get their own
 * uids at all: only when the router runs as root, {@code setpriv} exists, the range is not empty and other
 * users can reach the data dir; otherwise the pool is {@linkplain #enabled() disabled} and says why once.
 *
 * <p>Thread-safe.
 */
final class UidPool {
    private static final System.Logger LOG = System.getLogger(UidPool.class.getName());

    private final boolean enabled;
    private final int count;
    private final Deque<Integer> free = new ArrayDeque<>();

    private UidPool(boolean enabled, int base, int count) {
        this.enabled = enabled;
        this.count = count;
        for (int i = 0; enabled && i < count; i++) {
            free.add(base + i);
        }
    }

    /** The pool the settings allow on this machine; logs a warning when processes keep the router's user. */
    static UidPool forSettings(ProcessSettings settings) {
        boolean root = currentUid() == 0;
        boolean setpriv = Setpriv.installed();
        Path blocked = root && setpriv && settings.uidCount() > 0 ? untraversable(settings.dataDir()) : null;
        boolean enabled = root && setpriv && settings.uidCount() > 0 && blocked == null;
        if (blocked != null) {
            LOG.log(System.Logger.Level.WARNING, "function processes run as the router's user (root): "
                    + blocked + " (a parent of the data dir) is not traversable by other users (o+x), so a "
                    + "process with its own uid could not reach its files; chmod o+x it, or set "
                    + "TORPOR_PROCESS_UID_COUNT=0 to say this is intended");
        } else if (!enabled) {
            LOG.log(System.Logger.Level.WARNING, root
                    ? "function processes run as the router's user (root): no /usr/bin/setpriv, or TORPOR_PROCESS_UID_COUNT=0"
                    : "function processes run as the router's user (uid " + currentUid() + "): "
                            + "start the router as root to give each its own unprivileged uid");
        }
        return new UidPool(enabled, settings.uidBase(), settings.uidCount());
    }

    /** Whether processes run as uids of this pool (else as the router's user). */
    boolean enabled() {
        return enabled;
    }

    /** A free uid; -1 when the pool is disabled. */
    synchronized int take() throws IOException {
        if (!enabled) {
            return -1;
        }
        Integer uid = free.poll();
        if (uid == null) {
            throw new IOException("all " + count + " function process uids are in use");
        }
        return uid;
    }

    /** Returns a uid from {@link #take()} once its process and files are gone; -1 is ignored. */
    synchronized void release(int uid) {
        if (uid >= 0) {
            free.add(uid);
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

    /** The real uid of this process (from /proc), or -1. */
    static int currentUid() {
        return uidOf("self");
    }

    /** The uid a process runs as now (from /proc), or -1. */
    static int uidOf(long pid) {
        return uidOf(Long.toString(pid));
    }

    private static int uidOf(String process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", process, "status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // not Linux, or gone
        }
        return -1;
    }
}
