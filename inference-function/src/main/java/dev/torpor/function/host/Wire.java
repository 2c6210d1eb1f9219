package dev.torpor.function.host;

import dev.torpor.error.ErrorKind;
import dev.torpor.error.TorporException;
import dev.torpor.function.Batching;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Tensor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The router ↔ function host protocol, every message of it in both directions: {@code HELLO}, {@code LOAD},
 * {@code LOADED}, {@code INFER}, {@code RESULT}, {@code ERROR}, and for a host that does not share the router's
 * file system {@code TOKEN}, {@code FILE_OFFER}, {@code FILE_CHUNK} and {@code FILE_STORED} (the other
 * {@link Frame} types have no payload). Tensors travel as their raw little-endian element bytes (never as JSON); see {@link FrameWriter}
 * for the encoding and {@link WireCodes} for the datatype and error-kind codes. The transport (a Unix socket
 * to a child process, TCP to a pod) is not its business: it makes and reads frames.
 *
 * <p>Stateless and thread-safe. Decoding a corrupt frame fails with {@link java.nio.BufferUnderflowException}
 * or {@link IllegalArgumentException}.
 */
public final class Wire {
    private Wire() {
    }

    // ---- HELLO: host → router, once connected ----

    /** What a host says when it connects: its pid, ONNX Runtime's version and its start-up timings (ns). */
    /**
     * A host's first frame. {@code cpu} is its {@link dev.torpor.function.onnx.CpuFingerprint}: a router may send it
     * an optimized model made on a machine with the same one.
     */
    public record Hello(long pid, String ortVersion, long ortInitNanos, long warmUpNanos, long mainToHelloNanos,
                        String cpu) {
    }

    public static ByteBuffer hello(Hello hello) {
        return new FrameWriter(64).i64(hello.pid()).str(hello.ortVersion()).i64(hello.ortInitNanos())
                .i64(hello.warmUpNanos()).i64(hello.mainToHelloNanos()).str(hello.cpu()).frame(Frame.HELLO, 0);
    }

    /** @throws IllegalArgumentException when the frame is not a HELLO */
    public static Hello hello(Frame frame) {
        if (frame.type() != Frame.HELLO) {
            throw new IllegalArgumentException("the function host did not start with HELLO");
        }
        ByteBuffer in = frame.payload();
        return new Hello(in.getLong(), FrameReader.str(in), in.getLong(), in.getLong(), in.getLong(),
                FrameReader.str(in));
    }

    // ---- LOAD: router → host; LOADED: host → router ----

    /**
     * The LOAD message: the model's manifest and where its files are. The host opens exactly these files; it
     * never sees the store's index.
     */
    public record Load(ModelManifest manifest, Path artifact, RuntimeOptions options, int concurrency,
                       String instanceId, String cacheDir, Batching batching) {

        /** A load without dynamic batching. */
        public Load(ModelManifest manifest, Path artifact, RuntimeOptions options, int concurrency, String instanceId,
                    String cacheDir) {
            this(manifest, artifact, options, concurrency, instanceId, cacheDir, Batching.OFF);
        }
    }

    public static ByteBuffer load(Load load) {
        ModelManifest m = load.manifest();
        FrameWriter out = new FrameWriter(512);
        out.str(m.name()).str(m.version()).str(m.owner()).str(m.format().wireName()).str(m.engine())
                .str(m.file()).str(m.sha256()).i64(m.sizeBytes()).i64(m.publishedAt().toEpochMilli())
                .i64(m.estimatedMemoryMb()).str(load.artifact().toString()).i32(load.options().intraOpThreads())
                .i32(load.options().interOpThreads()).i32(load.concurrency()).str(load.instanceId())
                .str(load.cacheDir());
        // The signature: DJL sessions map tensors by it (ONNX reads its own from the model).
        for (List<TensorSpec> specs : List.of(m.signature().inputs(), m.signature().outputs())) {
            out.i32(specs.size());
            for (TensorSpec spec : specs) {
                out.str(spec.name()).typeAndShape(spec.datatype(), spec.shape());
            }
        }
        out.i64(load.options().maxOutputBytes());
        out.i32(load.batching().maxBatchSize()).i64(load.batching().maxDelayMicros());
        return out.frame(Frame.LOAD, 0);
    }

    public static Load load(ByteBuffer in) {
        String name = FrameReader.str(in);
        String version = FrameReader.str(in);
        String owner = FrameReader.str(in);
        ModelFormat format = ModelFormat.fromWireName(FrameReader.str(in));
        String engine = FrameReader.str(in);
        String file = FrameReader.str(in);
        String sha256 = FrameReader.str(in);
        long size = in.getLong();
        Instant publishedAt = Instant.ofEpochMilli(in.getLong());
        long memoryMb = in.getLong();
        Path artifact = Path.of(FrameReader.str(in));
        RuntimeOptions options = new RuntimeOptions(in.getInt(), in.getInt());
        int concurrency = in.getInt();
        String instanceId = FrameReader.str(in);
        String cacheDir = FrameReader.str(in);
        Signature signature = new Signature(specs(in), specs(in));
        options = options.withMaxOutputBytes(in.getLong());
        Batching batching = new Batching(in.getInt(), in.getLong());
        ModelManifest manifest = new ModelManifest(name, version, owner, format, engine, file, sha256, size,
                publishedAt, signature, memoryMb);
        return new Load(manifest, artifact, options, concurrency, instanceId, cacheDir, batching);
    }

    private static List<TensorSpec> specs(ByteBuffer in) {
        int count = in.getInt();
        FrameReader.checkLength(in, count, 4 + 1 + 4);
        List<TensorSpec> specs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            specs.add(new TensorSpec(FrameReader.str(in), FrameReader.datatype(in), FrameReader.shape(in)));
        }
        return specs;
    }

    /** LOADED: the model is loaded; how long that took in the host, in nanoseconds. */
    public static ByteBuffer loaded(long tookNanos) {
        return new FrameWriter(16).i64(tookNanos).frame(Frame.LOADED, 0);
    }

    public static Duration loaded(ByteBuffer in) {
        return Duration.ofNanos(in.getLong());
    }

    // ---- INFER: router → host; RESULT: host → router ----

    public static ByteBuffer request(long id, InferenceRequest request) {
        int bytes = 64;
        for (Tensor input : request.inputs()) {
            bytes += 64 + input.size() * Math.max(1, input.datatype().byteSize());
        }
        FrameWriter out = new FrameWriter(bytes).str(request.id()).i32(request.inputs().size());
        request.inputs().forEach(out::tensor);
        out.i32(request.requestedOutputs().size());
        request.requestedOutputs().forEach(out::str);
        return out.frame(Frame.INFER, id);
    }

    public static InferenceRequest request(ByteBuffer in) {
        String id = FrameReader.str(in);
        List<Tensor> inputs = FrameReader.tensors(in);
        int count = in.getInt();
        FrameReader.checkLength(in, count, 4);
        List<String> wanted = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            wanted.add(FrameReader.str(in));
        }
        return new InferenceRequest(id, inputs, wanted);
    }

    public static ByteBuffer result(long id, List<Tensor> outputs, long computeNanos) {
        return result(id, outputs, computeNanos, 1);
    }

    /** A RESULT: the request's engine time, how many requests shared its engine call, its outputs. */
    public static ByteBuffer result(long id, List<Tensor> outputs, long computeNanos, int batchSize) {
        // A long: the outputs were bounded by the session's OutputLimit, but their sum must not wrap here either.
        long bytes = 64;
        for (Tensor output : outputs) {
            bytes += 64 + (long) output.size() * Math.max(1, output.datatype().byteSize());
        }
        FrameWriter out = new FrameWriter((int) Math.min(bytes, Integer.MAX_VALUE - 16)).i64(computeNanos)
                .i32(batchSize).i32(outputs.size());
        outputs.forEach(out::tensor);
        return out.frame(Frame.RESULT, id);
    }

    /** A decoded RESULT (see {@link #result(long, List, long, int)}). */
    public record Result(long computeNanos, int batchSize, List<Tensor> outputs) {
    }

    public static Result result(ByteBuffer in) {
        long computeNanos = in.getLong();
        int batchSize = in.getInt();
        if (batchSize < 1) {
            throw new IllegalArgumentException("corrupt result: batch size " + batchSize);
        }
        return new Result(computeNanos, batchSize, FrameReader.tensors(in));
    }

    // ---- ERROR: host → router, for a request or (id 0) the load ----

    /**
     * An ERROR: the failure's {@linkplain TorporException#kind() kind}, its retry hint in milliseconds (-1:
     * none) and its message. A failure that is not a {@link TorporException} travels as an engine failure.
     */
    public static ByteBuffer error(long id, Throwable failure) {
        ErrorKind kind = failure instanceof TorporException known ? known.kind() : ErrorKind.ENGINE_FAILURE;
        String message = failure instanceof TorporException ? failure.getMessage()
                : "engine failure: " + failure;
        long retryMillis = failure instanceof TorporException known
                ? known.retryAfter().map(Duration::toMillis).orElse(-1L) : -1L;
        return new FrameWriter(64).i8(WireCodes.code(kind)).i64(retryMillis).str(message).frame(Frame.ERROR, id);
    }

    /** The exception an ERROR frame describes: the same kind, message and retry hint. */
    public static TorporException error(ByteBuffer in) {
        ErrorKind kind = WireCodes.errorKind(in.get());
        long retryMillis = in.getLong();
        String message = FrameReader.str(in);
        return WireCodes.exception(kind, message, retryMillis < 0 ? null : Duration.ofMillis(retryMillis));
    }

    // ---- TOKEN: router → listening host, first thing on a connection ----

    /** The longest token a host reads (before the token, a listening host accepts only frames this small). */
    public static final int MAX_TOKEN_BYTES = 1024;

    public static ByteBuffer token(String token) {
        return new FrameWriter(16 + token.length()).str(token).frame(Frame.TOKEN, 0);
    }

    /** @throws IllegalArgumentException when the frame is not a TOKEN */
    public static String token(Frame frame) {
        if (frame.type() != Frame.TOKEN) {
            throw new IllegalArgumentException("the connection did not start with TOKEN");
        }
        String token = FrameReader.str(frame.payload());
        if (token == null) {
            throw new IllegalArgumentException("corrupt frame: no token");
        }
        return token;
    }

    // ---- FILE_OFFER, FILE_CHUNK: router → host; FILE_WANTED, FILE_STORED: host → router ----

    /** The largest chunk of a file one FILE_CHUNK carries, in bytes; a larger one is a corrupt frame. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    /**
     * A model file the router offers: {@code modelKey} groups the files of one model version (its manifest's
     * sha256), {@code name} is the file's path relative to the version ({@code /}-separated), {@code sha256}
     * (lowercase hex) and {@code size} (bytes) are what the host checks the received bytes against.
     */
    public record FileOffer(String modelKey, String name, String sha256, long size) {
    }

    public static ByteBuffer fileOffer(long id, FileOffer offer) {
        return new FrameWriter(256).str(offer.modelKey()).str(offer.name()).str(offer.sha256()).i64(offer.size())
                .frame(Frame.FILE_OFFER, id);
    }

    public static FileOffer fileOffer(ByteBuffer in) {
        FileOffer offer = new FileOffer(FrameReader.str(in), FrameReader.str(in), FrameReader.str(in), in.getLong());
        if (offer.modelKey() == null || offer.name() == null || offer.sha256() == null || offer.size() < 0) {
            throw new IllegalArgumentException("corrupt file offer: " + offer);
        }
        return offer;
    }

    /** One chunk: {@code length} bytes of {@code bytes} from {@code from}, which start at {@code offset} in the file. */
    public static ByteBuffer fileChunk(long id, long offset, byte[] bytes, int from, int length) {
        if (length < 0 || length > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("a chunk holds 0.." + MAX_CHUNK_BYTES + " bytes, not " + length);
        }
        FrameWriter out = new FrameWriter(16 + length).i64(offset).i32(length);
        out.bytes(bytes, from, length);
        return out.frame(Frame.FILE_CHUNK, id);
    }

    /** A decoded FILE_CHUNK: where its bytes go in the file, and the bytes (a view of the frame). */
    public record FileChunk(long offset, ByteBuffer bytes) {
    }

    /** @throws IllegalArgumentException for a chunk over {@link #MAX_CHUNK_BYTES} or longer than its frame */
    public static FileChunk fileChunk(ByteBuffer in) {
        long offset = in.getLong();
        int length = in.getInt();
        if (offset < 0 || length > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("corrupt chunk: " + length + " bytes at offset " + offset
                    + " (at most " + MAX_CHUNK_BYTES + " bytes a chunk)");
        }
        FrameReader.checkLength(in, length, 1);
        ByteBuffer bytes = in.slice().limit(length);
        in.position(in.position() + length);
        return new FileChunk(offset, bytes);
    }

    public static ByteBuffer fileWanted(long id) {
        return new FrameWriter(0).frame(Frame.FILE_WANTED, id);
    }

    /** FILE_STORED: the file is in place at {@code path} on the host (what a LOAD names). */
    public static ByteBuffer fileStored(long id, String path) {
        return new FrameWriter(64 + path.length()).str(path).frame(Frame.FILE_STORED, id);
    }

    public static String fileStored(ByteBuffer in) {
        String path = FrameReader.str(in);
        if (path == null) {
            throw new IllegalArgumentException("corrupt frame: a stored file without a path");
        }
        return path;
    }
}
