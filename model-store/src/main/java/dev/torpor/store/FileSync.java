package dev.torpor.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Forces a file's data, or a directory's entries, to stable storage ({@code fsync(2)}). The store's one seam for
 * durability: {@link #DISK} in production, a recorder in tests. Implementations are thread-safe.
 */
@FunctionalInterface
interface FileSync {
    /** fsync on the real disk. Directories are opened for reading, which Linux and macOS allow. */
    FileSync DISK = path -> {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    };

    /** Forces one regular file or directory; the path must exist. */
    void force(Path path) throws IOException;

    /**
     * Forces every file and every directory of a tree, the files of a directory before the directory itself,
     * so that once the tree is renamed into place a crash cannot leave a visible version with missing or torn
     * files. Links are neither followed nor forced (an unpacked archive holds none).
     */
    default void forceTree(Path root) throws IOException {
        FileSync sync = this;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    sync.force(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                sync.force(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
