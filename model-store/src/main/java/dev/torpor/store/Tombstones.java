package dev.torpor.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The version numbers a store has deleted, kept on disk as {@code <root>/.tombstones/<name>/<version>} (a file
 * holding the deletion time), so that a number once used stays used: versions are immutable, and a client that
 * pinned {@code m/2} must never get other content under that name. Kept for ever, also when the whole model is
 * deleted (a tombstone is a few bytes). Read from disk on every check, never cached, so that every router that
 * shares the directory agrees. Thread-safe; the store serialises {@link #add} with its commits.
 */
final class Tombstones {
    static final String DIR = ".tombstones";

    private final Path dir;
    private final FileSync sync;

    Tombstones(Path root, FileSync sync) {
        this.dir = root.resolve(DIR);
        this.sync = sync;
    }

    /** Whether the version was deleted (its number stays used). */
    boolean contains(ModelId id) {
        return Files.exists(path(id), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Records the deletion durably (the file, its directory and the directory's parent are forced) before the
     * version leaves the disk: a crash in between leaves a version with a tombstone, which the next start deletes.
     */
    void add(ModelId id, Instant deletedAt) throws IOException {
        Path modelDir = dir.resolve(id.name());
        boolean newModelDir = !Files.isDirectory(modelDir, LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(modelDir);
        Path file = path(id);
        Files.writeString(file, deletedAt + "\n", StandardCharsets.UTF_8);
        sync.force(file);
        sync.force(modelDir);
        if (newModelDir) {
            sync.force(dir);
        }
    }

    private Path path(ModelId id) {
        // ModelId guarantees both parts are single, safe path segments.
        return dir.resolve(id.name()).resolve(id.version());
    }
}
