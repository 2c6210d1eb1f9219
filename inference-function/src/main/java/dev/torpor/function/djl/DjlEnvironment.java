package dev.torpor.function.djl;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes DJL offline by construction and keeps its one-time native unpack off a user's first request.
 *
 * <p>{@link #prepare} sets, before any DJL class reads them: {@code ai.djl.offline=true} (DJL never downloads
 * anything; a missing engine fails fast instead of hanging), {@code DJL_CACHE_DIR} and {@code ENGINE_CACHE_DIR}
 * under the data directory (where PyTorch's native libraries are unpacked from the {@code pytorch-native-cpu}
 * jar: ~430 MB, once per data directory), and one PyTorch intra-op and inter-op thread (the same measured
 * default as for ONNX Runtime; PyTorch's thread counts are process-wide, so a model's {@code runtime} config
 * cannot change them). A value already set as a system property or environment variable wins: operators and
 * tests may point every process at one shared cache.
 *
 * <p>{@link #warmUpInBackground} initialises the PyTorch engine on a daemon thread and logs its progress (the
 * cache's size while it unpacks), so that the first request for a DJL model only loads the model.
 */
public final class DjlEnvironment {
    private static final System.Logger LOG = System.getLogger(DjlEnvironment.class.getName());
    /** What PyTorch 2.7.1's CPU libraries unpack to, for the progress log. */
    private static final long EXPECTED_UNPACK_MB = 432;

    private DjlEnvironment() {
    }

    /**
     * Sets DJL's offline mode, cache directories and PyTorch thread counts unless already set.
     *
     * @param dataDir Torpor's data directory; the cache is {@code <dataDir>/djl-cache}
     * @return the cache directory DJL will use
     */
    public static Path prepare(Path dataDir) {
        System.setProperty("ai.djl.offline", "true");
        Path cache = Path.of(setIfAbsent("DJL_CACHE_DIR", dataDir.resolve("djl-cache").toString()));
        setIfAbsent("ENGINE_CACHE_DIR", cache.toString());
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        // DJL's own usage telemetry is off too: nothing leaves the machine.
        setIfAbsent("OPT_OUT_TRACKING", "true");
        return cache.toAbsolutePath();
    }

    /**
     * The DJL cache directory {@link #prepare} uses for {@code dataDir}, without setting anything: what a
     * function process is pointed at, so that it loads the router's unpacked PyTorch instead of its own copy.
     */
    public static Path cacheDir(Path dataDir) {
        String configured = System.getProperty("DJL_CACHE_DIR");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("DJL_CACHE_DIR");
        }
        return (configured == null || configured.isBlank() ? dataDir.resolve("djl-cache") : Path.of(configured))
                .toAbsolutePath();
    }

    /**
     * Whether PyTorch's native libraries are already unpacked in {@code cache} (a later start then loads them
     * in well under a second, so warming the engine up front is only worth it the first time).
     */
    public static boolean isUnpacked(Path cache) {
        Path pytorch = cache.resolve("pytorch");
        if (!Files.isDirectory(pytorch)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(pytorch)) {
            return files.anyMatch(file -> file.getFileName().toString().startsWith("libtorch_cpu"));
        } catch (IOException unreadable) {
            return false;
        }
    }

    private static String setIfAbsent(String key, String value) {
        String env = System.getenv(key);
        if (env != null && !env.isBlank() && System.getProperty(key) == null) {
            System.setProperty(key, env);
            return env;
        }
        String current = System.getProperty(key);
        if (current != null && !current.isBlank()) {
            return current;
        }
        System.setProperty(key, value);
        return value;
    }

    /**
     * Initialises the PyTorch engine on a daemon thread, logging the unpack's progress every two seconds.
     *
     * @return completes with the initialisation's duration, or exceptionally with DJL's error (also logged)
     */
    public static CompletableFuture<Long> warmUpInBackground(Path cache) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread warmUp = new Thread(() -> {
            long start = System.nanoTime();
            LOG.log(System.Logger.Level.INFO, "DJL: initialising the PyTorch engine in the background (cache "
                    + cache + "; the first start unpacks ~" + EXPECTED_UNPACK_MB + " MB of native libraries)");
            Thread progress = progressLogger(cache, done);
            try {
                Engine engine = Engine.getEngine(DjlBackend.PYTORCH);
                restoreJvmSignalHandlers();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                LOG.log(System.Logger.Level.INFO, "DJL: PyTorch " + engine.getVersion() + " ready on CPU in "
                        + millis + " ms (cache " + megabytes(cache) + " MB)");
                done.complete(millis);
            } catch (Throwable failed) {
                LOG.log(System.Logger.Level.WARNING, "DJL: the PyTorch engine cannot start; TorchScript and "
                        + "DJL-format models will be refused: " + failed.getMessage());
                done.completeExceptionally(failed);
            } finally {
                progress.interrupt();
            }
        }, "djl-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        return done;
    }

    /**
     * Loading PyTorch's native libraries after ONNX Runtime's (measured here: DJL's ORT engine, then PyTorch)
     * leaves the JVM's native SIGTERM handler replaced: the process then dies on SIGTERM without running its
     * shutdown hooks, so Torpor would neither drain nor flush its ledger. Registering the JVM's own Java-level
     * handlers again re-installs the JVM's native dispatcher. Harmless when nothing was replaced.
     */
    @SuppressWarnings("removal")
    static void restoreJvmSignalHandlers() {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler jvm = sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_DFL);
                sun.misc.Signal.handle(signal, jvm);
            } catch (IllegalArgumentException | UnsupportedOperationException notHandled) {
                // The JVM does not handle this signal here (e.g. -Xrs): nothing to restore.
            }
        }
    }

    private static Thread progressLogger(Path cache, CompletableFuture<?> done) {
        Thread progress = new Thread(() -> {
            try {
                while (!done.isDone()) {
                    TimeUnit.SECONDS.sleep(2);
                    if (!done.isDone()) {
                        LOG.log(System.Logger.Level.INFO, "DJL: PyTorch engine still starting; native cache at "
                                + megabytes(cache) + " of ~" + EXPECTED_UNPACK_MB + " MB");
                    }
                }
            } catch (InterruptedException finished) {
                Thread.currentThread().interrupt();
            }
        }, "djl-warm-up-progress");
        progress.setDaemon(true);
        progress.start();
        return progress;
    }

    private static long megabytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum() / (1024 * 1024);
        } catch (IOException | RuntimeException unreadable) {
            return 0;
        }
    }
}
