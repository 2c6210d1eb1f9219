package dev.torpor.pool.process;

import dev.torpor.function.djl.DjlEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The paths the process launcher uses, by name: the one place that knows the layout of what function
 * processes share in the router's data dir ({@code root}). Creates nothing except {@link #newSocketDir()}.
 *
 * <pre>
 * native/                 ONNX Runtime's natives, extracted once ({@link OrtNatives})
 * cds/                    the class-data archive ({@link ClassDataArchive})
 * run/tmp/                temp dir of the class-data training run
 * run/fn/p&lt;n&gt;/            one process's private dir ({@link SlotDir}: tmp/, ort/, model/)
 * fn-classpath/           class-path jars linked where other uids can read them ({@link ClassPathLinks})
 * cache/ort/              the optimized-model cache of processes that run as the router's user
 * cache/ort-fn/&lt;sha256&gt;/  one model's optimized-model cache, harvested from sandboxed processes
 * </pre>
 *
 * <p>Immutable.
 */
record ProcessDataDir(Path root) {

    Path natives() {
        return root.resolve("native");
    }

    Path classDataArchives() {
        return root.resolve("cds");
    }

    /** What the launcher runs: slots and the training run's temp dir. */
    Path run() {
        return root.resolve("run");
    }

    Path trainingTmp() {
        return run().resolve("tmp");
    }

    /** The parent of every process's private dir. */
    Path slots() {
        return run().resolve("fn");
    }

    /** The private dir of the process with this serial number. */
    SlotDir slot(long serial) {
        return new SlotDir(slots().resolve("p" + serial));
    }

    Path classPathLinks() {
        return root.resolve("fn-classpath");
    }

    /** The optimized-model cache shared by processes that run as the router's user. */
    Path ortCache() {
        return root.resolve("cache").resolve("ort");
    }

    /** One model's optimized-model cache, filled only from processes that loaded that model ({@link ModelFiles}). */
    Path ortCacheOf(String sha256) {
        return root.resolve("cache").resolve("ort-fn").resolve(sha256);
    }

    /** DJL's cache (PyTorch's natives); may lie outside the data dir. */
    Path djlCache() {
        return DjlEnvironment.cacheDir(root);
    }

    /** What function processes may read in the data dir; {@link DataDirLockdown} hides everything else. */
    List<Path> visibleToProcesses() {
        return List.of(natives(), classDataArchives(), run(), classPathLinks(), djlCache());
    }

    /**
     * A new private ({@code 0700}) directory for the processes' Unix sockets. Not under the data dir: a
     * socket's path is limited to ~108 bytes, so it lives in the system's temp dir, with a short name.
     */
    static Path newSocketDir() throws IOException {
        return Files.createTempDirectory("torpor-fn-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** One process's private dir: {@code tmp/}, its own optimized-model cache {@code ort/}, and {@code model/}. */
    record SlotDir(Path root) {
        Path tmp() {
            return root.resolve("tmp");
        }

        Path ort() {
            return root.resolve("ort");
        }

        /** Links (or read-only copies) of the files of the model version the process serves. */
        Path model() {
            return root.resolve("model");
        }

        String name() {
            return root.getFileName().toString();
        }
    }
}
