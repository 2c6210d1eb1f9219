package dev.torpor.pool.process;

import dev.torpor.function.OrtEnvironments;
import dev.torpor.function.host.Wire;
import dev.torpor.function.onnx.CpuFingerprint;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.function.onnx.OrtModelCache;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.store.ModelFormat;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * ONNX Runtime's optimized graphs (ORT format) for hosts that do not share the router's file system (pods), so that
 * their model load skips graph optimization (a pooled function process reads them from the shared cache; measured
 * there: Silero VAD's load fell from ~130 to ~25 ms). The router makes an entry once per model version and runtime
 * settings, in its own optimized-model cache, in the background after a cold start (never on a request's path), and a
 * later cold start sends it with the model. An entry goes only to a host it is valid for: an ONNX model on the CPU,
 * the same ONNX Runtime version, and the same {@link CpuFingerprint} (the fully optimized graph may depend on the CPU's
 * vector width); any other host optimizes the model itself, as before.
 *
 * <p>Making an entry opens the model in the router once (as publishing already does to read its signature), so only
 * models up to {@code maxModelBytes} get one. Thread-safe.
 */
public final class OptimizedModels {
    private static final System.Logger LOG = System.getLogger(OptimizedModels.class.getName());

    private final Path cacheDir;
    private final Executor worker;
    private final long maxModelBytes;
    private final Set<Path> making = ConcurrentHashMap.newKeySet();
    /** The router's ONNX backend over the cache, and its ORT version; made on first use (guarded by this). */
    private Engine engine;

    private record Engine(OnnxBackend backend, String ortVersion) {
    }

    /**
     * Takes only its settings: ONNX Runtime is reached on first use, through the process's one environment
     * ({@link OrtEnvironments#shared()}, which DJL's engine must be the one to create).
     *
     * @param cacheDir the router's optimized-model cache (the in-process launcher's, same keys)
     * @param worker   makes entries in the background
     */
    public OptimizedModels(Path cacheDir, Executor worker, long maxModelBytes) {
        this.cacheDir = cacheDir;
        this.worker = worker;
        this.maxModelBytes = maxModelBytes;
    }

    private synchronized Engine engine() {
        if (engine == null) {
            OrtEnvironment env = OrtEnvironments.shared();
            engine = new Engine(new OnnxBackend(env, new OrtModelCache(cacheDir)), env.getVersion());
        }
        return engine;
    }

    /** The entry to send a host that said {@code hello}, for {@code spec}'s load, when one is made and valid there. */
    public Optional<Path> forHost(LaunchSpec spec, Wire.Hello hello) {
        if (!applies(spec) || !CpuFingerprint.current().equals(hello.cpu())
                || !engine().ortVersion().equals(hello.ortVersion())) {
            return Optional.empty();
        }
        return engine().backend().cacheEntry(spec.manifest(), spec.runtime()).filter(Files::isRegularFile);
    }

    /** Makes {@code spec}'s entry in the background, unless it exists or is being made. */
    public void prepare(LaunchSpec spec) {
        if (!applies(spec)) {
            return;
        }
        OnnxBackend backend = engine().backend();
        Optional<Path> entry = backend.cacheEntry(spec.manifest(), spec.runtime());
        if (entry.isEmpty() || Files.isRegularFile(entry.get()) || !making.add(entry.get())) {
            return;
        }
        worker.execute(() -> {
            try {
                backend.open(spec.manifest(), spec.artifact(), spec.runtime()).close();
            } catch (RuntimeException failed) {
                LOG.log(System.Logger.Level.WARNING, "could not make the optimized model of {0}: {1}",
                        spec.manifest().id(), failed.getMessage());
            } finally {
                making.remove(entry.get());
            }
        });
    }

    private boolean applies(LaunchSpec spec) {
        return spec.manifest().format() == ModelFormat.ONNX && !spec.device().isGpu()
                && spec.manifest().sizeBytes() <= maxModelBytes;
    }
}
