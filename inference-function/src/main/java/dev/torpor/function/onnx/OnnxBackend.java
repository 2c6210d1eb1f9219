package dev.torpor.function.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.torpor.error.BadInput;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.Backend;
import dev.torpor.function.OrtEnvironments;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Serves ONNX models with ONNX Runtime's Java API, on the process-wide {@link OrtEnvironment}.
 *
 * <p>{@link #inspect} reads a model's signature at publish and refuses what cannot be served: inputs or
 * outputs that are not tensors, and element types ORT's Java API cannot exchange (UINT16, UINT32,
 * UINT64) or that have no protocol datatype (BFLOAT16, complex, float8). Dimensions ORT reports as
 * symbolic or unknown are -1.
 *
 * <p>A caveat from ORT's Java API: it reports a tensor of unknown rank with an empty shape, exactly like
 * a scalar, so such a model is described as taking scalars.
 */
public final class OnnxBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(OnnxBackend.class.getName());
    public static final String NAME = "onnxruntime";
    /** The engine name {@code model.json} uses for ONNX Runtime. */
    public static final String ENGINE = "OnnxRuntime";
    /** How long a client should wait after a failed load; loads that failed once rarely succeed at once. */
    static final Duration LOAD_RETRY_AFTER = Duration.ofSeconds(10);

    /** The only execution provider this build uses; part of the optimized-model cache key. */
    static final String EXECUTION_PROVIDER = "cpu";

    private final OrtEnvironment env;
    private final OrtModelCache cache;

    /** A backend on ORT's process-wide environment (see {@link OrtEnvironments}: shared with DJL), without an optimized-model cache. */
    public OnnxBackend() {
        this(OrtEnvironments.shared(), null);
    }

    /** A backend on {@code env}, which must stay open as long as the backend's sessions. */
    public OnnxBackend(OrtEnvironment env) {
        this(env, null);
    }

    /**
     * @param cache where graph-optimized models are kept in ORT format, or null to optimize on every load
     */
    public OnnxBackend(OrtEnvironment env, OrtModelCache cache) {
        this.env = env;
        this.cache = cache;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ModelFormat format, String engine) {
        return format == ModelFormat.ONNX && (engine == null || ENGINE.equals(engine));
    }

    /**
     * Opens the model with a light session (no graph optimization, one thread) and reads its signature.
     *
     * @throws BadInput when ORT cannot open the file, or the model has inputs or outputs Torpor cannot
     *                  exchange; the message names the tensor and the type
     */
    @Override
    public Signature inspect(Path artifact, ModelFormat format, ModelDescriptor declared) {
        String engine = declared == null ? null : declared.engine();
        if (!supports(format, engine)) {
            throw new BadInput("the " + NAME + " backend cannot serve a " + format.wireName() + " model"
                    + (engine == null ? "" : " for engine " + engine));
        }
        try (SessionOptions options = new SessionOptions()) {
            options.setOptimizationLevel(OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(artifact.toString(), options)) {
                return OnnxTypes.signature(session.getInputInfo(), session.getOutputInfo());
            }
        } catch (OrtException e) {
            throw new BadInput("ONNX Runtime cannot open the model: " + withoutPath(OrtErrors.message(e), artifact), e);
        }
    }

    /**
     * Creates a fully optimized session with the model config's thread counts. With a cache, the first load
     * saves ORT's optimized graph in ORT format and later loads read it back with optimizations off.
     *
     * @throws ModelLoadFailed with ORT's message when ORT cannot create the session
     */
    @Override
    public Session open(ModelManifest manifest, Path artifact, RuntimeOptions options) {
        String label = manifest.name() + "/" + manifest.version();
        if (!supports(manifest.format(), manifest.engine())) {
            throw new IllegalArgumentException("the " + NAME + " backend cannot serve " + label + " ("
                    + manifest.format().wireName() + ", engine " + manifest.engine() + ")");
        }
        try {
            // The cache is derived data: a version whose artifact is gone (a disk fault) must not load from it.
            // GPU sessions skip it: the cached graph is optimized for the CPU provider.
            if (cache != null && !options.onGpu() && Files.isReadable(artifact)) {
                OrtSession cached = openCached(manifest, artifact, options, label);
                if (cached != null) {
                    return new OnnxSession(env, cached, label, options.maxOutputBytes());
                }
            }
            try (SessionOptions sessionOptions = optimizing(options)) {
                if (options.onGpu()) {
                    useCuda(sessionOptions, options.gpuDevice(), label);
                }
                // ORT copies the options into the native session, so closing them here is safe.
                return new OnnxSession(env, env.createSession(artifact.toString(), sessionOptions), label,
                        options.maxOutputBytes());
            }
        } catch (OrtException e) {
            throw new ModelLoadFailed("ONNX Runtime cannot load " + label + ": "
                    + withoutPath(OrtErrors.message(e), artifact), LOAD_RETRY_AFTER, e);
        }
    }

    /**
     * Appends ONNX Runtime's CUDA execution provider on GPU {@code index}. It exists only in the
     * {@code onnxruntime_gpu} artifact (Maven profile {@code gpu}) and needs CUDA and cuDNN on the machine;
     * without them the instance fails to load with this reason (a model configured with {@code device: any} is
     * then placed on the CPU by the pool).
     */
    private static void useCuda(SessionOptions sessionOptions, int index, String label) {
        try {
            sessionOptions.addCUDA(index);
        } catch (OrtException | RuntimeException | LinkageError unavailable) {
            throw new ModelLoadFailed("ONNX Runtime's CUDA execution provider cannot start " + label + " on gpu:" + index
                    + ": " + unavailable.getMessage() + " (GPU execution needs the onnxruntime_gpu build: mvn -Pgpu,"
                    + " and CUDA on the machine)", LOAD_RETRY_AFTER, unavailable);
        }
    }

    /**
     * The model's thread counts, sequential execution (ORT's default, stated: the parallel executor was 3–170×
     * slower on every sample model here), and intra-op threads that sleep instead of spinning when idle: with
     * spinning, {@code intraOpThreads} 2 ran the sample models 1.1–4.4× slower than without on the 2-core machine,
     * where a spinning thread takes the core another request needs (samples/bench.sh engine, docs/BENCHMARKS.md).
     * With the default of one intra-op thread there is no pool and the setting changes nothing.
     */
    private static void threads(SessionOptions sessionOptions, RuntimeOptions options) throws OrtException {
        sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        sessionOptions.setInterOpNumThreads(options.interOpThreads());
        sessionOptions.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        sessionOptions.addConfigEntry("session.intra_op.allow_spinning", "0");
    }

    private SessionOptions optimizing(RuntimeOptions options) throws OrtException {
        SessionOptions sessionOptions = new SessionOptions();
        sessionOptions.setOptimizationLevel(OptLevel.ALL_OPT);
        threads(sessionOptions, options);
        return sessionOptions;
    }

    /**
     * Loads the cached ORT-format graph, or optimizes the model once and saves it there. Returns null when
     * the cache cannot help (a write failed); the caller then loads the model the plain way.
     */
    private OrtSession openCached(ModelManifest manifest, Path artifact, RuntimeOptions options, String label)
            throws OrtException {
        Path entry = cacheEntry(manifest, options).orElseThrow();
        if (Files.isRegularFile(entry)) {
            try (SessionOptions fromCache = new SessionOptions()) {
                fromCache.setOptimizationLevel(OptLevel.NO_OPT);
                threads(fromCache, options);
                fromCache.addConfigEntry("session.load_model_format", "ORT");
                return env.createSession(entry.toString(), fromCache);
            } catch (OrtException unreadable) {
                LOG.log(System.Logger.Level.WARNING, "optimized-model cache entry {0} for {1} is unusable ({2});"
                        + " optimizing again", entry.getFileName(), label, OrtErrors.message(unreadable));
                deleteQuietly(entry);
            }
        }
        Path temporary;
        try {
            temporary = cache.temporaryFor(entry);
        } catch (IOException unwritable) {
            LOG.log(System.Logger.Level.WARNING, "optimized-model cache {0} is not writable: {1}", cache.dir(),
                    unwritable.getMessage());
            return null;
        }
        OrtSession session;
        try (SessionOptions saving = optimizing(options)) {
            saving.setOptimizedModelFilePath(temporary.toString());
            saving.addConfigEntry("session.save_model_format", "ORT");
            session = env.createSession(artifact.toString(), saving);
        } catch (OrtException cannotSave) {
            deleteQuietly(temporary);
            throw cannotSave;
        }
        try {
            cache.publish(temporary, entry);
        } catch (IOException notPublished) {
            deleteQuietly(temporary);
            LOG.log(System.Logger.Level.WARNING, "could not keep the optimized model of {0}: {1}", label,
                    notPublished.getMessage());
        }
        return session;
    }

    /**
     * Where this backend's cache keeps (or would keep) {@code manifest}'s optimized graph for a session with
     * {@code options}; empty without a cache or on a GPU (GPU sessions do not use it). Another host with the same ORT
     * version and {@link CpuFingerprint} computes the same file name in its own cache directory.
     */
    public java.util.Optional<Path> cacheEntry(ModelManifest manifest, RuntimeOptions options) {
        if (cache == null || options.onGpu()) {
            return java.util.Optional.empty();
        }
        String settings = "opt=all,intra=" + options.intraOpThreads() + ",inter=" + options.interOpThreads();
        return java.util.Optional.of(cache.entry(manifest, env.getVersion(), EXECUTION_PROVIDER, settings));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file costs disk space only
        }
    }

    /** ORT quotes the file's full path; clients need not learn where the store keeps its files. */
    private static String withoutPath(String message, Path artifact) {
        Path fileName = artifact.getFileName();
        return fileName == null ? message : message.replace(artifact.toString(), fileName.toString());
    }
}
