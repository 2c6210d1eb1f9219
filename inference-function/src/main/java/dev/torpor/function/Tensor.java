package dev.torpor.function;

import dev.torpor.store.DataType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor in the Open Inference Protocol's terms, holding its elements in one flat, row-major
 * primitive array (never boxed). The array type follows the datatype, the way the engines hold them:
 *
 * <table>
 * <tr><th>datatype</th><th>data</th></tr>
 * <tr><td>BOOL</td><td>{@code boolean[]}</td></tr>
 * <tr><td>INT8, UINT8</td><td>{@code byte[]} (UINT8 as unsigned bits)</td></tr>
 * <tr><td>INT16, UINT16, FP16</td><td>{@code short[]} (UINT16 as unsigned bits, FP16 as IEEE half bits)</td></tr>
 * <tr><td>INT32, UINT32</td><td>{@code int[]} (UINT32 as unsigned bits)</td></tr>
 * <tr><td>INT64, UINT64</td><td>{@code long[]} (UINT64 as unsigned bits)</td></tr>
 * <tr><td>FP32</td><td>{@code float[]}</td></tr>
 * <tr><td>FP64</td><td>{@code double[]}</td></tr>
 * <tr><td>BYTES</td><td>{@code String[]}</td></tr>
 * </table>
 *
 * The array is owned by the tensor once constructed: callers must not change it afterwards. Tensors are
 * therefore cheap to pass between threads without copying.
 */
public record Tensor(String name, DataType datatype, long[] shape, Object data) {

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        Class<?> expected = arrayClassOf(datatype);
        if (data.getClass() != expected) {
            throw new IllegalArgumentException(datatype + " tensor " + name + " needs " + expected.getSimpleName()
                    + " data, not " + data.getClass().getSimpleName());
        }
        long count = elementCount(shape);
        if (count != java.lang.reflect.Array.getLength(data)) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " needs "
                    + count + " elements, has " + java.lang.reflect.Array.getLength(data));
        }
    }

    /** The Java array class that holds elements of {@code type}. */
    public static Class<?> arrayClassOf(DataType type) {
        return switch (type) {
            case BOOL -> boolean[].class;
            case INT8, UINT8 -> byte[].class;
            case INT16, UINT16, FP16 -> short[].class;
            case INT32, UINT32 -> int[].class;
            case INT64, UINT64 -> long[].class;
            case FP32 -> float[].class;
            case FP64 -> double[].class;
            case BYTES -> String[].class;
        };
    }

    /**
     * The product of the dimensions, or -1 if a dimension is negative or the product overflows a long.
     * A scalar (empty shape) has one element.
     */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                return -1;
            }
            if (dim != 0 && count > Long.MAX_VALUE / dim) {
                return -1;
            }
            count *= dim;
        }
        return count;
    }

    /** The number of elements. */
    public int size() {
        return java.lang.reflect.Array.getLength(data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that && name.equals(that.name) && datatype == that.datatype
                && Arrays.equals(shape, that.shape) && Objects.deepEquals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ":" + datatype + Arrays.toString(shape) + "]";
    }
}
