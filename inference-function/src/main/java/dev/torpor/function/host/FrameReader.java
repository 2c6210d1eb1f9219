package dev.torpor.function.host;

import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@link FrameWriter} wrote from a frame's payload. Stateless and thread-safe. Every length is
 * checked against what is left of the frame, so a corrupt frame fails with
 * {@link java.nio.BufferUnderflowException} or {@link IllegalArgumentException}, never an allocation of an
 * absurd size.
 */
public final class FrameReader {
    private FrameReader() {
    }

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

    /** Fails unless {@code count} elements of {@code unit} bytes each can still be in the frame. */
    static void checkLength(ByteBuffer in, long count, int unit) {
        if (count < 0 || count * unit > in.remaining()) {
            throw new IllegalArgumentException("corrupt frame: " + count + " elements of " + unit
                    + " bytes, " + in.remaining() + " bytes left");
        }
    }

    static DataType datatype(ByteBuffer in) {
        return WireCodes.datatype(in.get());
    }

    static long[] shape(ByteBuffer in) {
        int rank = in.getInt();
        checkLength(in, rank, 8);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.getLong();
        }
        return shape;
    }

    public static Tensor tensor(ByteBuffer in) {
        String name = str(in);
        DataType type = datatype(in);
        long[] shape = shape(in);
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
}
