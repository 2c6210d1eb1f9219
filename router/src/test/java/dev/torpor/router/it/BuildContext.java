package dev.torpor.router.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A Docker build context streamed as a plain tar, written by a thread while the daemon reads it: only the files
 * named, each readable by all (mode 0644) whatever its mode here, so an image's unprivileged user can read it.
 * Uncompressed on purpose: the context is mostly an already-compressed 300 MB jar, and gzipping it (as
 * Testcontainers' ImageFromDockerfile does) cost about 10 s of CPU per build for nothing.
 */
final class BuildContext {
    private BuildContext() {
    }

    /** The tar of {@code files} (path in the context → file here); the caller closes it. */
    static InputStream of(Map<String, Path> files) throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        Thread writer = new Thread(() -> write(new TreeMap<>(files), out), "build-context");
        writer.setDaemon(true);
        writer.start();
        return in;
    }

    private static void write(Map<String, Path> files, OutputStream out) {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, Path> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(Files.size(file.getValue()));
                entry.setMode(0100644);
                tar.putArchiveEntry(entry);
                Files.copy(file.getValue(), tar);
                tar.closeArchiveEntry();
            }
        } catch (IOException readerGone) {
            // The daemon stopped reading (a failed build): its error is what the build reports.
        }
    }
}
