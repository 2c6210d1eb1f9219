package dev.torpor.function.host;

import ai.onnxruntime.OrtEnvironment;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.Tensor;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.function.onnx.OrtModelCache;
import dev.torpor.function.onnx.TinyOnnx;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes a young function JVM's cold-start path hot before it is needed: loads a tiny built-in model
 * ({@link TinyOnnx}) through {@link OnnxBackend} exactly as a real load does — once optimizing and saving it
 * in ORT format, once from that optimized-model cache entry with optimizations off — and sends a few requests
 * through the {@link Wire} codec and the session. That loads and links the classes, initializes ONNX
 * Runtime's native session and kernel machinery and lets the JIT see the codec, so that a pooled process's
 * first real load pays for its model only.
 *
 * <p>Everything it writes lives in a scratch directory under {@code java.io.tmpdir} and is deleted. A failure
 * is harmless: the process simply starts colder.
 */
public final class WarmUp {
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());
    private static final int RUNS = 200;

    private WarmUp() {
    }

    /** Runs the warm-up; returns how long it took in nanoseconds. Never throws for an engine failure. */
    public static long run(OrtEnvironment env) {
        long begin = System.nanoTime();
        try {
            runOrThrow(env);
        } catch (IOException | RuntimeException | LinkageError failed) {
            System.err.println("function host: warm-up failed (the first load will be slower): " + failed);
        }
        long took = System.nanoTime() - begin;
        // Also initializes java.util.logging and its formatter, which a JVM's first log line pays for.
        LOG.log(System.Logger.Level.INFO, "warmed up in {0} ms", took / 1_000_000);
        return took;
    }

    /**
     * A listening host's second warm-up: receiving model files ({@link ReceivedFiles#warmUp}), which a pod does on
     * every cold start and a function process never. Returns how long it took in nanoseconds; never throws.
     */
    public static long receiving() {
        long begin = System.nanoTime();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("torpor-warm-up-files-");
            ReceivedFiles.warmUp(scratch);
        } catch (IOException | RuntimeException failed) {
            System.err.println("function host: file warm-up failed (the first transfer will be slower): " + failed);
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
        return System.nanoTime() - begin;
    }

    /** The warm-up itself; throws what went wrong (for tests). */
    static void runOrThrow(OrtEnvironment env) throws IOException {
        Path scratch = Files.createTempDirectory("torpor-warm-up-");
        try {
            Path model = scratch.resolve("tiny.onnx");
            Files.write(model, TinyOnnx.addAndIdentity());
            ModelManifest manifest = new ModelManifest("torpor-warm-up", "1", "torpor", ModelFormat.ONNX,
                    OnnxBackend.ENGINE, "tiny.onnx", "warm-up-" + ProcessHandle.current().pid(),
                    Files.size(model), Instant.now(), new Signature(List.of(), List.of()), 1);
            // The LOAD frame's codec, as the real load will use it.
            Wire.Load load = Wire.load(payloadOf(Wire.load(new Wire.Load(manifest, model, RuntimeOptions.DEFAULT, 1,
                    "warm-up", scratch.resolve("cache").toString()))));
            OnnxBackend backend = new OnnxBackend(env, new OrtModelCache(Path.of(load.cacheDir())));
            // First open optimizes and saves the ORT-format entry; the second takes the cached path real loads take.
            backend.open(load.manifest(), load.artifact(), load.options()).close();
            try (var entries = Files.list(Path.of(load.cacheDir()))) {
                if (entries.noneMatch(entry -> entry.toString().endsWith(".ort"))) {
                    throw new IllegalStateException("the warm-up model was not saved in ORT format");
                }
            }
            try (Session session = backend.open(load.manifest(), load.artifact(), load.options())) {
                for (int i = 0; i < RUNS; i++) {
                    roundTrip(session, i);
                }
            }
            Wire.error(payloadOf(Wire.error(1, new dev.torpor.error.BadInput("warm-up"))));
        } finally {
            deleteQuietly(scratch);
        }
    }

    private static void roundTrip(Session session, int i) {
        float[] a = new float[16];
        float[] b = new float[16];
        a[0] = i;
        b[0] = 1;
        InferenceRequest request = new InferenceRequest("w" + i, List.of(
                new Tensor("a", DataType.FP32, new long[] {1, 16}, a),
                new Tensor("b", DataType.FP32, new long[] {1, 16}, b),
                new Tensor("x", DataType.INT64, new long[] {1}, new long[] {i})), List.of());
        InferenceRequest received = Wire.request(payloadOf(Wire.request(i + 1, request)));
        long runBegin = System.nanoTime();
        List<Tensor> outputs = session.run(received, new RunControl());
        ByteBuffer result = payloadOf(Wire.result(i + 1, outputs, System.nanoTime() - runBegin));
        List<Tensor> decoded = Wire.result(result).outputs();
        float sum = ((float[]) decoded.stream().filter(t -> t.name().equals("c")).findFirst().orElseThrow().data())[0];
        if (sum != i + 1) {
            throw new IllegalStateException("warm-up model answered " + sum + " for " + i + " + 1");
        }
    }

    /** The payload of an encoded frame, as {@link FrameChannel#read()} hands it to a reader. */
    static ByteBuffer payloadOf(ByteBuffer frame) {
        ByteBuffer copy = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        copy.position(copy.position() + 4 + Frame.HEADER);
        return copy.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException ignored) {
            // a scratch dir left in the private temp dir costs a few bytes
        }
    }
}
