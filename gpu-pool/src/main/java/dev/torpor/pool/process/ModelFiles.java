package dev.torpor.pool.process;

import dev.torpor.pool.LaunchSpec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files a function process gets for its model. A process that runs as the router's user reads the
 * artifact where the store keeps it and shares {@link ProcessDataDir#ortCache()}. A sandboxed process (its own
 * uid) reads only links or read-only copies of its model version's files in its {@code model/}, and writes its
 * optimized-model cache into its own {@code ort/}: after a load, what it wrote is copied to that model's own
 * cache ({@link ProcessDataDir#ortCacheOf}), and later processes of the same model start with those entries
 * (an entry written by an untrusted process is only ever used for the same model).
 *
 * <p>Thread-safe (it keeps no state; concurrent copies of one entry are atomic renames).
 */
final class ModelFiles {
    private final ProcessDataDir dirs;

    ModelFiles(ProcessDataDir dirs) {
        this.dirs = dirs;
    }

    /** The artifact path a process loads: its own read-only link or copy when it runs as its own uid. */
    Path artifactFor(Isolation.Slot slot, LaunchSpec spec) throws IOException {
        if (slot == null || !slot.sandboxed()) {
            return spec.artifact().toAbsolutePath();
        }
        Path shared = dirs.ortCacheOf(spec.manifest().sha256());
        if (Files.isDirectory(shared)) {
            // this model's optimized-model cache entries, written by earlier processes of the same model
            try (var entries = Files.list(shared)) {
                for (Path entry : entries.toList()) {
                    Path mine = slot.dir().ort().resolve(entry.getFileName());
                    if (!Files.exists(mine)) {
                        Files.copy(entry, mine);
                        Files.setPosixFilePermissions(mine, PosixTrees.READ_ONLY);
                    }
                }
            }
        }
        return provide(slot.dir().model(), spec.artifact(), spec.manifest().file());
    }

    /** The optimized-model cache dir a process writes: the shared one, or its private one when sandboxed. */
    String cacheDirFor(Isolation.Slot slot) {
        return slot == null || !slot.sandboxed() ? dirs.ortCache().toString() : slot.dir().ort().toString();
    }

    /** After a sandboxed load: copies the entries the process wrote into its private cache to the model's cache. */
    void harvest(Isolation.Slot slot, LaunchSpec spec) {
        if (slot == null || !slot.sandboxed()) {
            return;
        }
        Path shared = dirs.ortCacheOf(spec.manifest().sha256());
        try (var entries = Files.list(slot.dir().ort())) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                Path target = shared.resolve(name);
                if (name.endsWith(".ort") && !Files.exists(target)
                        && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(shared);
                    Path temporary = shared.resolve(name + ".tmp");
                    Files.copy(entry, temporary, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the next load optimizes again
        }
    }

    /**
     * Hard links (or read-only copies) of the version's files in {@code target} (an engine may read files
     * next to the artifact: DJL's model.json); returns the artifact there.
     *
     * @param file the artifact's path relative to its version dir (the manifest's {@code file})
     */
    private static Path provide(Path target, Path artifactPath, String file) throws IOException {
        Path relative = Path.of(file).normalize();
        Path version = artifactPath.toAbsolutePath();
        for (int i = 0; i < relative.getNameCount() && version.getParent() != null; i++) {
            version = version.getParent();
        }
        Path root = version;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(root.relativize(dir).toString());
                Files.createDirectories(copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                PosixTrees.readOnlyCopy(file, target.resolve(root.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
        // model/ stays the router's: the process (its group) reads it, cannot change it
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-x---"));
        return target.resolve(relative.toString());
    }
}
