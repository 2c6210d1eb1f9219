package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File-permission and file-tree operations the isolation parts share: making trees readable to other uids,
 * read-only links or copies, and removing trees. Stateless apart from a serial for temporary names.
 */
final class PosixTrees {
    static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");
    private static final AtomicLong SERIAL = new AtomicLong();

    private PosixTrees() {
    }

    /** a+rX on a tree (directories traversable, files readable). */
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

    /** Replaces {@code to} atomically with a hard link to {@code from}, or a read-only copy across devices. */
    static void linkOrCopy(Path from, Path to) throws IOException {
        Path temporary = to.resolveSibling(to.getFileName() + "." + SERIAL.incrementAndGet() + ".tmp");
        try {
            Files.createLink(temporary, from);
        } catch (IOException | UnsupportedOperationException crossDevice) {
            Files.copy(from, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temporary, READ_ONLY);
        }
        Files.move(temporary, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A hard link when the file is root's and not writable by others (a process cannot change it through
     * the link), else a copy; readable by all.
     */
    static void readOnlyCopy(Path from, Path to) throws IOException {
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
        Files.setPosixFilePermissions(to, READ_ONLY);
    }

    /** Removes a tree, best effort (what is left behind is harmless). Symbolic links are not followed. */
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
}
