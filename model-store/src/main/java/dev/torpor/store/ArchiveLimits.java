package dev.torpor.store;

/**
 * How much an uploaded archive may unpack to. An archive is small on the wire and can still be a zip bomb,
 * so these limits apply to what is actually written while unpacking, not to what the archive declares.
 *
 * @param maxEntries       the most entries (files and directories) an archive may hold; at least 1
 * @param maxUnpackedBytes the most bytes all of an archive's files may unpack to together; at least 1
 */
public record ArchiveLimits(int maxEntries, long maxUnpackedBytes) {

    public static final int DEFAULT_MAX_ENTRIES = 1000;
    public static final long DEFAULT_MAX_UNPACKED_BYTES = 4L * 1024 * 1024 * 1024;

    public ArchiveLimits {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        if (maxUnpackedBytes < 1) {
            throw new IllegalArgumentException("maxUnpackedBytes must be at least 1, was " + maxUnpackedBytes);
        }
    }

    /** 1000 entries and 4 GiB unpacked. */
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_UNPACKED_BYTES);
    }
}
