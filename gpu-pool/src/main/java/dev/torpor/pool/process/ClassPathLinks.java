package dev.torpor.pool.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The class path as a function process running as another uid can read it: jars that uid cannot reach
 * (e.g. under {@code /root/.m2}) are hard-linked (or copied) into {@link ProcessDataDir#classPathLinks()},
 * which is made readable to all; reachable entries and directories stay as they are. Stateless.
 */
final class ClassPathLinks {
    private ClassPathLinks() {
    }

    /** {@code classPath} with every unreachable jar replaced by its link in {@code linkDir}. */
    static String readable(String classPath, Path linkDir) {
        List<String> entries = new ArrayList<>();
        try {
            for (String entry : classPath.split(File.pathSeparator)) {
                Path path = Path.of(entry).toAbsolutePath();
                if (!Files.isRegularFile(path) || PosixTrees.reachableByOthers(path)) {
                    entries.add(entry);
                    continue;
                }
                Files.createDirectories(linkDir);
                // the parent's hash keeps equally named jars from different dirs apart
                String name = Integer.toHexString(path.getParent().toString().hashCode()) + "-" + path.getFileName();
                Path linked = linkDir.resolve(name);
                if (!Files.exists(linked) || Files.size(linked) != Files.size(path)) {
                    PosixTrees.linkOrCopy(path, linked);
                }
                entries.add(linked.toString());
            }
            if (Files.isDirectory(linkDir)) {
                PosixTrees.readableByAll(linkDir);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot make the class path readable to function processes", failed);
        }
        return String.join(File.pathSeparator, entries);
    }
}
