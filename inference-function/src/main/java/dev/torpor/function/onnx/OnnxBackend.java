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
    public static final String NAME = "onnxruntime";
    /** The engine name {@code model.json} uses for ONNX Runtime. */
    public static final String ENGINE = "OnnxRuntime";
    /** How long a client should wait after a failed load; loads that failed once rarely succeed at once. */
    static final Duration LOAD_RETRY_AFTER = Duration.ofSeconds(10);

    private final OrtEnvironment env;

    /** A backend on ORT's process-wide environment (see {@link OrtEnvironments}: shared with DJL). */
    public OnnxBackend() {
        this(OrtEnvironments.shared());
    }

    /** A backend on {@code env}, which must stay open as long as the backend's sessions. */
    public OnnxBackend(OrtEnvironment env) {
        this.env = env;
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
     * Creates a fully optimized session with the model config's thread counts.
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
        try (SessionOptions sessionOptions = new SessionOptions()) {
            sessionOptions.setOptimizationLevel(OptLevel.ALL_OPT);
            sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
            sessionOptions.setInterOpNumThreads(options.interOpThreads());
            if (options.onGpu()) {
                useCuda(sessionOptions, options.gpuDevice(), label);
            }
            // ORT copies the options into the native session, so closing them here is safe.
            return new OnnxSession(env, env.createSession(artifact.toString(), sessionOptions), label);
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

    /** ORT quotes the file's full path; clients need not learn where the store keeps its files. */
    private static String withoutPath(String message, Path artifact) {
        Path fileName = artifact.getFileName();
        return fileName == null ? message : message.replace(artifact.toString(), fileName.toString());
    }
}
