package dev.torpor.store;

import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Unpacks an uploaded zip archive into an empty directory, refusing anything that could write outside it or
 * exhaust the disk: {@code ..} segments, absolute paths, symbolic links, duplicate entries, more than
 * {@link ArchiveLimits#maxEntries()} entries, and more than {@link ArchiveLimits#maxUnpackedBytes()} bytes,
 * counted as they are written (a zip bomb lies about its sizes). The central directory is read with Commons
 * Compress because only it exposes an entry's Unix mode, and so its symbolic links.
 *
 * <p>On failure the destination is left partly filled; the caller owns it and deletes it.
 */
final class ArchiveUnpacker {
    /** Written by the store next to the model files, so an archive may not bring its own. */
    static final String RESERVED_NAME = ManifestFiles.FILE_NAME;

    private static final int BUFFER_BYTES = 64 * 1024;

    private final ArchiveLimits limits;

    ArchiveUnpacker(ArchiveLimits limits) {
        this.limits = limits;
    }

    /**
     * @return the total bytes written, which the memory estimate uses
     * @throws BadRequest      not a zip, an unsafe or duplicate entry, or an entry that cannot be read
     * @throws PayloadTooLarge too many entries, or too many bytes once unpacked
     */
    long unpack(Path archive, Path destination) {
        ZipFile zip = open(archive);
        try (zip) {
            Set<Path> seen = new HashSet<>();
            long written = 0;
            int count = 0;
            // Physical order includes every record, duplicates too, where a name-keyed view would hide them.
            Enumeration<ZipArchiveEntry> entries = zip.getEntriesInPhysicalOrder();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry entry = entries.nextElement();
                if (++count > limits.maxEntries()) {
                    throw new PayloadTooLarge("archive has more than " + limits.maxEntries()
                            + " entries (the archive entry limit, TORPOR_ARCHIVE_MAX_ENTRIES)");
                }
                Path target = safeTarget(destination, entry);
                if (!seen.add(destination.relativize(target))) {
                    throw new BadRequest("archive entry '" + entry.getName() + "' appears more than once");
                }
                if (entry.isDirectory()) {
                    createDirectories(target, entry);
                } else {
                    written += extract(zip, entry, target, limits.maxUnpackedBytes() - written);
                }
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + archive, e);
        }
    }

    private static ZipFile open(Path archive) {
        try {
            return ZipFile.builder().setPath(archive).get();
        } catch (IOException e) {
            throw new BadRequest("upload is not a readable zip archive: " + e.getMessage(), e);
        }
    }

    private static Path safeTarget(Path destination, ZipArchiveEntry entry) {
        String name = entry.getName();
        if (entry.isUnixSymlink()) {
            throw new BadRequest("archive entry '" + name + "' is a symbolic link; links are not allowed");
        }
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")
                || name.matches("^[A-Za-z]:.*")) {
            throw new BadRequest("archive entry '" + name + "' has an absolute or unsafe path");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw new BadRequest("archive entry '" + name + "' has a '..' segment");
            }
        }
        Path target;
        try {
            target = destination.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new BadRequest("archive entry '" + name + "' has an invalid path", e);
        }
        // Belt and braces: the checks above should make this impossible.
        if (!target.startsWith(destination) || target.equals(destination)) {
            throw new BadRequest("archive entry '" + name + "' points outside the archive");
        }
        if (destination.relativize(target).toString().equals(RESERVED_NAME)) {
            throw new BadRequest("archive entry '" + RESERVED_NAME + "' is reserved for the store's manifest");
        }
        return target;
    }

    private static void createDirectories(Path target, ZipArchiveEntry entry) throws IOException {
        try {
            Files.createDirectories(target);
        } catch (FileAlreadyExistsException e) {
            throw new BadRequest("archive entry '" + entry.getName() + "' clashes with a file of the same name", e);
        }
    }

    private long extract(ZipFile zip, ZipArchiveEntry entry, Path target, long budget) throws IOException {
        if (!zip.canReadEntryData(entry)) {
            throw new BadRequest("archive entry '" + entry.getName()
                    + "' uses an unsupported compression method or encryption");
        }
        createDirectories(target.getParent(), entry);
        byte[] buffer = new byte[BUFFER_BYTES];
        long written = 0;
        try (InputStream in = zip.getInputStream(entry);
             OutputStream out = newFile(target, entry)) {
            while (true) {
                int read = readEntry(in, buffer, entry);
                if (read < 0) {
                    return written;
                }
                written += read;
                if (written > budget) {
                    throw new PayloadTooLarge("archive unpacks to more than " + Sizes.describe(limits.maxUnpackedBytes())
                            + " (the unpacked archive limit, TORPOR_ARCHIVE_MAX_UNPACKED_MB)");
                }
                out.write(buffer, 0, read);
            }
        }
    }

    private static OutputStream newFile(Path target, ZipArchiveEntry entry) throws IOException {
        try {
            return Files.newOutputStream(target, StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new BadRequest("archive entry '" + entry.getName() + "' clashes with another entry", e);
        }
    }

    // A corrupt entry (bad deflate stream, wrong CRC) is the upload's fault, not the store's.
    private static int readEntry(InputStream in, byte[] buffer, ZipArchiveEntry entry) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new BadRequest("archive entry '" + entry.getName() + "' is corrupt: " + e.getMessage(), e);
        }
    }
}
