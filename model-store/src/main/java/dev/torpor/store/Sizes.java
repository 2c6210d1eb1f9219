package dev.torpor.store;

/** Byte counts as error messages name them. */
final class Sizes {
    static final long MIB = 1024 * 1024;

    private Sizes() {
    }

    /** "2048 MB" for whole mebibytes (how the limits are configured), else the exact "1000 B". */
    static String describe(long bytes) {
        if (bytes >= MIB && bytes % MIB == 0) {
            return bytes / MIB + " MB";
        }
        return bytes + " B";
    }
}
