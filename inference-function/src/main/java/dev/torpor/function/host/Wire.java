package dev.torpor.function.host;

import dev.torpor.error.BadInput;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.TorporException;
import dev.torpor.function.Batching;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary encoding of the router ↔ function process protocol: tensors travel as their raw little-endian
 * element bytes (never as JSON), strings as {@code int32 length + UTF-8} ({@code -1} for null). A tensor is
 * its name, {@code int8} datatype ordinal, {@code int32} rank, {@code int64} dimensions, then its elements:
 * fixed-size types packed, BOOL one byte each, BYTES an {@code int32} length and UTF-8 per element.
 *
 * <p>Stateless and thread-safe. Readers check every length against the frame, so a corrupt frame fails
 * with {@link java.nio.BufferUnderflowException} or {@link IllegalArgumentException}, never an allocation
 * of an absurd size.
 */
public final class Wire {
    private Wire() {
    }

    /** A growable little-endian buffer that becomes one frame. */
    public static final class Out {
        private ByteBuffer buffer;

        public Out(int initialCapacity) {
            buffer = ByteBuffer.allocate(Math.max(64, initialCapacity)).order(ByteOrder.LITTLE_ENDIAN);
            buffer.position(4 + Frame.HEADER);
        }

        private ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                long wanted = Math.max((long) buffer.capacity() * 2, (long) buffer.position() + bytes);
                if (wanted > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("a frame cannot exceed 2 GiB");
                }
                ByteBuffer bigger = ByteBuffer.allocate((int) wanted).order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
            return buffer;
        }

        public Out i8(int value) {
            room(1).put((byte) value);
            return this;
        }

        public Out i32(int value) {
            room(4).putInt(value);
            return this;
        }

        public Out i64(long value) {
            room(8).putLong(value);
            return this;
        }

        public Out str(String value) {
            if (value == null) {
                return i32(-1);
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            room(4 + bytes.length).putInt(bytes.length).put(bytes);
            return this;
        }

        public Out tensor(Tensor tensor) {
            str(tensor.name());
            i8(tensor.datatype().ordinal());
            long[] shape = tensor.shape();
            i32(shape.length);
            for (long dim : shape) {
                i64(dim);
            }
            Object data = tensor.data();
            int n = tensor.size();
            switch (tensor.datatype()) {
                case FP32 -> {
                    ByteBuffer b = room(n * 4);
                    b.asFloatBuffer().put((float[]) data);
                    b.position(b.position() + n * 4);
                }
                case FP64 -> {
                    ByteBuffer b = room(n * 8);
                    b.asDoubleBuffer().put((double[]) data);
                    b.position(b.position() + n * 8);
                }
                case INT64, UINT64 -> {
                    ByteBuffer b = room(n * 8);
                    b.asLongBuffer().put((long[]) data);
                    b.position(b.position() + n * 8);
                }
                case INT32, UINT32 -> {
                    ByteBuffer b = room(n * 4);
                    b.asIntBuffer().put((int[]) data);
                    b.position(b.position() + n * 4);
                }
                case INT16, UINT16, FP16 -> {
                    ByteBuffer b = room(n * 2);
                    b.asShortBuffer().put((short[]) data);
                    b.position(b.position() + n * 2);
                }
                case INT8, UINT8 -> room(n).put((byte[]) data);
                case BOOL -> {
                    ByteBuffer b = room(n);
                    for (boolean value : (boolean[]) data) {
                        b.put((byte) (value ? 1 : 0));
                    }
                }
                case BYTES -> {
                    for (String value : (String[]) data) {
                        str(value);
                    }
                }
            }
            return this;
        }

        /** The finished frame, ready to write: length, type, id, payload. */
        public ByteBuffer frame(byte type, long id) {
            ByteBuffer b = buffer;
            int end = b.position();
            b.putInt(0, end - 4).put(4, type).putLong(5, id);
            b.position(0).limit(end);
            return b;
        }
    }

    // ---- reading ----

    public static String str(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        checkLength(in, length, 1);
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void checkLength(ByteBuffer in, long count, int unit) {
        if (count < 0 || count * unit > in.remaining()) {
            throw new IllegalArgumentException("corrupt frame: " + count + " elements of " + unit
                    + " bytes, " + in.remaining() + " bytes left");
        }
    }

    public static Tensor tensor(ByteBuffer in) {
        String name = str(in);
        int ordinal = in.get();
        DataType[] types = DataType.values();
        if (ordinal < 0 || ordinal >= types.length) {
            throw new IllegalArgumentException("corrupt frame: datatype " + ordinal);
        }
        DataType type = types[ordinal];
        int rank = in.getInt();
        checkLength(in, rank, 8);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.getLong();
        }
        long count = Tensor.elementCount(shape);
        checkLength(in, count, Math.max(1, type.byteSize()));
        int n = (int) count;
        Object data = switch (type) {
            case FP32 -> {
                float[] a = new float[n];
                in.asFloatBuffer().get(a);
                in.position(in.position() + n * 4);
                yield a;
            }
            case FP64 -> {
                double[] a = new double[n];
                in.asDoubleBuffer().get(a);
                in.position(in.position() + n * 8);
                yield a;
            }
            case INT64, UINT64 -> {
                long[] a = new long[n];
                in.asLongBuffer().get(a);
                in.position(in.position() + n * 8);
                yield a;
            }
            case INT32, UINT32 -> {
                int[] a = new int[n];
                in.asIntBuffer().get(a);
                in.position(in.position() + n * 4);
                yield a;
            }
            case INT16, UINT16, FP16 -> {
                short[] a = new short[n];
                in.asShortBuffer().get(a);
                in.position(in.position() + n * 2);
                yield a;
            }
            case INT8, UINT8 -> {
                byte[] a = new byte[n];
                in.get(a);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.get() != 0;
                }
                yield a;
            }
            case BYTES -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = str(in);
                }
                yield a;
            }
        };
        return new Tensor(name, type, shape, data);
    }

    public static List<Tensor> tensors(ByteBuffer in) {
        int count = in.getInt();
        checkLength(in, count, 1);
        List<Tensor> tensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tensors.add(tensor(in));
        }
        return tensors;
    }

    // ---- messages ----

    public static ByteBuffer request(long id, InferenceRequest request) {
        int bytes = 64;
        for (Tensor input : request.inputs()) {
            bytes += 64 + input.size() * Math.max(1, input.datatype().byteSize());
        }
        Out out = new Out(bytes).str(request.id()).i32(request.inputs().size());
        request.inputs().forEach(out::tensor);
        out.i32(request.requestedOutputs().size());
        request.requestedOutputs().forEach(out::str);
        return out.frame(Frame.INFER, id);
    }

    public static InferenceRequest request(ByteBuffer in) {
        String id = str(in);
        List<Tensor> inputs = tensors(in);
        int count = in.getInt();
        checkLength(in, count, 4);
        List<String> wanted = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            wanted.add(str(in));
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
        Out out = new Out((int) Math.min(bytes, Integer.MAX_VALUE - 16)).i64(computeNanos).i32(batchSize)
                .i32(outputs.size());
        outputs.forEach(out::tensor);
        return out.frame(Frame.RESULT, id);
    }

    /**
     * The LOAD message: the model's manifest (without its signature, which the router checks) and where
     * its files are. The process opens exactly these files; it never sees the store's index.
     */
    public record Load(ModelManifest manifest, Path artifact, RuntimeOptions options, int concurrency,
                       String instanceId, String cacheDir, Batching batching) {

        /** A load without dynamic batching. */
        public Load(ModelManifest manifest, Path artifact, RuntimeOptions options, int concurrency, String instanceId,
                    String cacheDir) {
            this(manifest, artifact, options, concurrency, instanceId, cacheDir, Batching.OFF);
        }
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
        return new Result(computeNanos, batchSize, tensors(in));
    }

    public static ByteBuffer load(Load load) {
        ModelManifest m = load.manifest();
        Out out = new Out(512);
        out.str(m.name()).str(m.version()).str(m.owner()).str(m.format().wireName()).str(m.engine())
                .str(m.file()).str(m.sha256()).i64(m.sizeBytes()).i64(m.publishedAt().toEpochMilli())
                .i64(m.estimatedMemoryMb()).str(load.artifact().toString()).i32(load.options().intraOpThreads())
                .i32(load.options().interOpThreads()).i32(load.concurrency()).str(load.instanceId())
                .str(load.cacheDir());
        // The signature: DJL sessions map tensors by it (ONNX reads its own from the model).
        for (List<TensorSpec> specs : List.of(m.signature().inputs(), m.signature().outputs())) {
            out.i32(specs.size());
            for (TensorSpec spec : specs) {
                out.str(spec.name()).i8(spec.datatype().ordinal()).i32(spec.shape().length);
                for (long dim : spec.shape()) {
                    out.i64(dim);
                }
            }
        }
        out.i64(load.options().maxOutputBytes());
        out.i32(load.batching().maxBatchSize()).i64(load.batching().maxDelayMicros());
        return out.frame(Frame.LOAD, 0);
    }

    private static List<TensorSpec> specs(ByteBuffer in) {
        int count = in.getInt();
        checkLength(in, count, 4 + 1 + 4);
        List<TensorSpec> specs = new ArrayList<>(count);
        DataType[] types = DataType.values();
        for (int i = 0; i < count; i++) {
            String name = str(in);
            int ordinal = in.get();
            if (ordinal < 0 || ordinal >= types.length) {
                throw new IllegalArgumentException("corrupt frame: datatype " + ordinal);
            }
            int rank = in.getInt();
            checkLength(in, rank, 8);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = in.getLong();
            }
            specs.add(new TensorSpec(name, types[ordinal], shape));
        }
        return specs;
    }

    public static Load load(ByteBuffer in) {
        String name = str(in);
        String version = str(in);
        String owner = str(in);
        ModelFormat format = ModelFormat.fromWireName(str(in));
        String engine = str(in);
        String file = str(in);
        String sha256 = str(in);
        long size = in.getLong();
        Instant publishedAt = Instant.ofEpochMilli(in.getLong());
        long memoryMb = in.getLong();
        Path artifact = Path.of(str(in));
        RuntimeOptions options = new RuntimeOptions(in.getInt(), in.getInt());
        int concurrency = in.getInt();
        String instanceId = str(in);
        String cacheDir = str(in);
        Signature signature = new Signature(specs(in), specs(in));
        options = options.withMaxOutputBytes(in.getLong());
        Batching batching = new Batching(in.getInt(), in.getLong());
        ModelManifest manifest = new ModelManifest(name, version, owner, format, engine, file, sha256, size,
                publishedAt, signature, memoryMb);
        return new Load(manifest, artifact, options, concurrency, instanceId, cacheDir, batching);
    }

    // Error kinds: what the router turns back into the same TorporException.
    private static final int BAD_INPUT = 1;
    private static final int ENGINE = 2;
    private static final int CANCELLED = 3;
    private static final int LOAD_FAILED = 4;
    private static final int DEADLINE = 5;
    private static final int TOO_LARGE = 6;

    public static ByteBuffer error(long id, Throwable failure) {
        int kind = failure instanceof BadInput ? BAD_INPUT
                : failure instanceof RequestCancelled ? CANCELLED
                : failure instanceof ModelLoadFailed ? LOAD_FAILED
                : failure instanceof DeadlineExceeded ? DEADLINE
                : failure instanceof PayloadTooLarge ? TOO_LARGE
                : ENGINE;
        String message = failure instanceof TorporException ? failure.getMessage()
                : "engine failure: " + failure;
        long retryMillis = failure instanceof TorporException known
                ? known.retryAfter().map(Duration::toMillis).orElse(-1L) : -1L;
        return new Out(64).i8(kind).i64(retryMillis).str(message).frame(Frame.ERROR, id);
    }

    /** The exception an ERROR frame describes. */
    public static TorporException error(ByteBuffer in) {
        int kind = in.get();
        long retryMillis = in.getLong();
        String message = str(in);
        Duration retry = retryMillis < 0 ? null : Duration.ofMillis(retryMillis);
        return switch (kind) {
            case BAD_INPUT -> new BadInput(message);
            case CANCELLED -> new RequestCancelled(message);
            case LOAD_FAILED -> new ModelLoadFailed(message, retry);
            case DEADLINE -> new DeadlineExceeded(message);
            case TOO_LARGE -> new PayloadTooLarge(message);
            default -> new EngineFailure(message);
        };
    }
}
