package dev.torpor.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Recursive deletion of the store's own directories (staging, trash). Never follows symbolic links. */
final class PathTrees {
    private static final System.Logger LOG = System.getLogger(PathTrees.class.getName());

    private PathTrees() {
    }

    /** Deletes a file or a directory tree; a path that is already gone is fine. */
    static void delete(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // walkFileTree does not follow links by default: a link is deleted, never its target.
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes like {@link #delete}, but only logs a failure: used in {@code finally} blocks and clean-ups,
     * where an error of its own must not hide the error that is already on its way to the caller.
     */
    static void deleteQuietly(Path path) {
        try {
            delete(path);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + path + "; it is retried at the next start", e);
        }
    }

    /** Deletes everything inside a directory, keeping the directory; logs what it cannot delete. */
    static void emptyQuietly(Path dir) {
        try (var children = Files.list(dir)) {
            children.forEach(PathTrees::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not list " + dir, e);
        }
    }
}
