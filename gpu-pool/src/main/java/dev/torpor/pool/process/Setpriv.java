package dev.torpor.pool.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The command prefix that drops a function process to its own uid before it executes java: util-linux's
 * {@code setpriv}, with the uid as gid, no supplementary groups and {@code no_new_privs}. Stateless.
 */
final class Setpriv {
    private static final Path BINARY = Path.of("/usr/bin/setpriv");

    private Setpriv() {
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** The prefix that runs the rest of the command line as {@code uid} (and gid {@code uid}). */
    static List<String> prefix(int uid) {
        return List.of(BINARY.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs", "--");
    }
}
