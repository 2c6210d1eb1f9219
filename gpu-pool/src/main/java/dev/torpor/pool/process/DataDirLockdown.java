package dev.torpor.pool.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Hides the router's data dir from function processes that run as their own uids: the dir becomes
 * {@code 0711} (reachable, not listable) and every entry in it except the ones processes need loses its
 * group and other permissions, so the database, the store and other tenants' models are unreadable to them.
 * The entries processes need become world-readable (they hold nothing secret). Run again periodically: files
 * the router creates later (a database journal, with the usual umask) are hidden then.
 *
 * <p>Thread-safe.
 */
final class DataDirLockdown {
    private static final Set<PosixFilePermission> GROUP_AND_OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    static final Set<PosixFilePermission> TRAVERSE = PosixFilePermissions.fromString("rwx--x--x");

    private final ProcessDataDir dirs;
    private final List<Path> visible;
    /** Whether the visible entries have been opened up (done once; later runs only hide). */
    private volatile boolean opened;

    DataDirLockdown(ProcessDataDir dirs) {
        this.dirs = dirs;
        this.visible = dirs.visibleToProcesses();
    }

    /** Hides every entry but the visible ones; the first run also makes the visible ones readable to all. */
    void run() {
        Path dataDir = dirs.root();
        try {
            Files.setPosixFilePermissions(dataDir, TRAVERSE);
            try (var entries = Files.list(dataDir)) {
                for (Path entry : entries.toList()) {
                    if (!isVisible(entry) && !Files.isSymbolicLink(entry)) {
                        var permissions = Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS);
                        if (permissions.removeAll(GROUP_AND_OTHERS)) {
                            Files.setPosixFilePermissions(entry, permissions);
                        }
                    }
                }
            }
            if (!opened) {
                opened = true;
                for (Path shared : visible) {
                    // run/ holds the private dirs: it stays traversable only (Isolation sets it up)
                    if (Files.exists(shared) && !shared.normalize().equals(dirs.run().normalize())) {
                        PosixTrees.readableByAll(shared);
                    }
                }
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot restrict the data dir " + dataDir, failed);
        }
    }

    private boolean isVisible(Path entry) {
        return visible.stream().anyMatch(v -> v.normalize().equals(entry.normalize()));
    }
}
