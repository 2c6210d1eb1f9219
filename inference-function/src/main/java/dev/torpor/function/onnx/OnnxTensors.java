package dev.torpor.function.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.function.OutputLimit;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Moves elements between Torpor's {@link Tensor} (one flat primitive array) and ORT's {@link OnnxTensor}.
 * Inputs are wrapped as heap buffers, which ORT copies once into native memory; outputs are copied out of
 * native memory once, and ORT's copy is used as the tensor's array where it already is one.
 */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** A native tensor holding {@code tensor}'s elements; the caller closes it. */
    static OnnxTensor toOnnx(OrtEnvironment env, Tensor tensor) throws OrtException {
        long[] shape = tensor.shape();
        Object data = tensor.data();
        return switch (tensor.datatype()) {
            case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) data), shape);
            case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) data), shape);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.INT8);
            case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap((byte[]) data), shape, OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(env, bools((boolean[]) data), shape, OnnxJavaType.BOOL);
            case INT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) data), shape, OnnxJavaType.INT16);
            case FP16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap((short[]) data), shape, OnnxJavaType.FLOAT16);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) data), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) data), shape);
            case BYTES -> OnnxTensor.createTensor(env, (String[]) data, shape);
            // Refused at publish; reaching here means the request skipped validation.
            case UINT16, UINT32, UINT64 -> throw new BadInput("input '" + tensor.name() + "' has datatype "
                    + tensor.datatype() + ", which ONNX Runtime's Java API cannot exchange");
        };
    }

    /** ORT stores BOOL as one byte per element, 0 or 1. */
    private static ByteBuffer bools(boolean[] values) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(values.length);
        for (boolean value : values) {
            bytes.put((byte) (value ? 1 : 0));
        }
        return bytes.rewind();
    }

    /** Reserves {@code value}'s size in {@code limit}, from its native shape and type, before anything is copied. */
    static void reserve(OutputLimit limit, String name, OnnxTensor value) {
        TensorInfo info = value.getInfo();
        DataType type = OnnxTypes.exchangeable(info.onnxType);
        if (type == null) {
            throw new EngineFailure(OnnxTypes.refusal("output", name, info.onnxType));
        }
        limit.reserve(name, type, info.getShape());
    }

    /**
     * Copies an output out of native memory into a {@link Tensor} named {@code name}; its size was
     * {@link #reserve reserved} in {@code limit}, which a BYTES output's text is counted against too.
     */
    static Tensor fromOnnx(String name, OnnxTensor value, OutputLimit limit) throws OrtException {
        TensorInfo info = value.getInfo();
        DataType type = OnnxTypes.exchangeable(info.onnxType);
        if (type == null) {
            throw new EngineFailure(OnnxTypes.refusal("output", name, info.onnxType));
        }
        long[] shape = info.getShape();
        int count = Math.toIntExact(Tensor.elementCount(shape));
        Object data = switch (type) {
            case FP32 -> {
                FloatBuffer buffer = value.getFloatBuffer();
                yield buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == count
                        ? buffer.array() : copy(buffer, count);
            }
            case FP64 -> {
                DoubleBuffer buffer = value.getDoubleBuffer();
                yield buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == count
                        ? buffer.array() : copy(buffer, count);
            }
            case INT8, UINT8 -> bytes(value.getByteBuffer(), count);
            case BOOL -> {
                byte[] bytes = bytes(value.getByteBuffer(), count);
                boolean[] bools = new boolean[count];
                for (int i = 0; i < count; i++) {
                    bools[i] = bytes[i] != 0;
                }
                yield bools;
            }
            case INT16, FP16 -> {
                ShortBuffer buffer = value.getShortBuffer();
                short[] shorts = new short[count];
                buffer.get(shorts);
                yield shorts;
            }
            case INT32 -> {
                IntBuffer buffer = value.getIntBuffer();
                int[] ints = new int[count];
                buffer.get(ints);
                yield ints;
            }
            case INT64 -> {
                LongBuffer buffer = value.getLongBuffer();
                yield buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length == count
                        ? buffer.array() : copy(buffer, count);
            }
            case BYTES -> {
                String[] strings = strings(value.getValue(), count);
                long chars = 0;
                for (String text : strings) {
                    chars += text.length();
                }
                limit.reserveBytes(chars, "the text of output '" + name + "'");
                yield strings;
            }
            default -> throw new EngineFailure(OnnxTypes.refusal("output", name, info.onnxType));
        };
        return new Tensor(name, type, shape, data);
    }

    private static float[] copy(FloatBuffer buffer, int count) {
        float[] values = new float[count];
        buffer.get(values);
        return values;
    }

    private static double[] copy(DoubleBuffer buffer, int count) {
        double[] values = new double[count];
        buffer.get(values);
        return values;
    }

    private static long[] copy(LongBuffer buffer, int count) {
        long[] values = new long[count];
        buffer.get(values);
        return values;
    }

    private static byte[] bytes(ByteBuffer buffer, int count) {
        byte[] values = new byte[count];
        buffer.get(values);
        return values;
    }

    /** ORT hands strings back as a String (scalar) or nested String arrays; flatten them row-major. */
    private static String[] strings(Object value, int count) {
        String[] flat = new String[count];
        int filled = flatten(value, flat, 0);
        if (filled != count) {
            throw new EngineFailure("ONNX Runtime returned " + filled + " strings for " + count + " elements");
        }
        return flat;
    }

    private static int flatten(Object value, String[] into, int at) {
        if (value instanceof String text) {
            if (at == into.length) {
                throw new EngineFailure("ONNX Runtime returned more strings than the output's shape holds");
            }
            into[at] = text;
            return at + 1;
        }
        int length = Array.getLength(value);
        for (int i = 0; i < length; i++) {
            at = flatten(Array.get(value, i), into, at);
        }
        return at;
    }
}
