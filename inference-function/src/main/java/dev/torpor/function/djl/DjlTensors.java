package dev.torpor.function.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.function.OutputLimit;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import dev.torpor.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves elements between Torpor's {@link Tensor} (one flat primitive array) and DJL's {@link NDArray}. Every
 * input goes through one direct, native-order buffer that the engine copies (PyTorch) or wraps (ONNX
 * Runtime) once; every output is copied out of native memory once.
 */
final class DjlTensors {
    private DjlTensors() {
    }

    /** An NDArray in {@code manager} holding {@code tensor}'s elements, named after the tensor. */
    static NDArray toNd(NDManager manager, Tensor tensor) {
        ai.djl.ndarray.types.DataType type = DjlTypes.toDjl(tensor.datatype());
        if (type == null) {
            // Refused at publish; reaching here means the request skipped validation.
            throw new BadInput("input '" + tensor.name() + "' has datatype " + tensor.datatype()
                    + ", which Torpor does not exchange with DJL");
        }
        int count = tensor.size();
        ByteBuffer bytes = ByteBuffer.allocateDirect(count * type.getNumOfBytes()).order(ByteOrder.nativeOrder());
        Object data = tensor.data();
        switch (tensor.datatype()) {
            case FP32 -> bytes.asFloatBuffer().put((float[]) data);
            case FP64 -> bytes.asDoubleBuffer().put((double[]) data);
            case FP16 -> bytes.asShortBuffer().put((short[]) data);
            case INT8, UINT8 -> bytes.put((byte[]) data);
            case INT32 -> bytes.asIntBuffer().put((int[]) data);
            case INT64 -> bytes.asLongBuffer().put((long[]) data);
            case BOOL -> {
                for (boolean value : (boolean[]) data) {
                    bytes.put((byte) (value ? 1 : 0));
                }
            }
            default -> throw new IllegalStateException("unreachable: " + tensor.datatype());
        }
        bytes.rewind();
        NDArray array = manager.create(bytes, new Shape(tensor.shape()), type);
        array.setName(tensor.name());
        return array;
    }

    /** A zero-filled NDArray of {@code spec}'s datatype and shape, each -1 dimension taken as 1. */
    static NDArray zeros(NDManager manager, TensorSpec spec) {
        long[] shape = spec.shape();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                shape[i] = 1;
            }
        }
        NDArray array = manager.zeros(new Shape(shape), DjlTypes.toDjl(spec.datatype()));
        array.setName(spec.name());
        return array;
    }

    /** Copies an output out of native memory into a {@link Tensor} named {@code name}. */
    /** Reserves {@code array}'s size in {@code limit}, from its shape and type, before anything is copied. */
    static void reserve(OutputLimit limit, String name, NDArray array) {
        DataType type = DjlTypes.fromDjl(array.getDataType());
        if (type == null) {
            throw new EngineFailure("output '" + name + "' has DJL type " + array.getDataType()
                    + ", which Torpor does not exchange");
        }
        limit.reserve(name, type, array.getShape().getShape());
    }

    static Tensor fromNd(String name, NDArray array) {
        DataType type = DjlTypes.fromDjl(array.getDataType());
        if (type == null) {
            throw new EngineFailure("output '" + name + "' has DJL type " + array.getDataType()
                    + ", which Torpor does not exchange");
        }
        long[] shape = array.getShape().getShape();
        int count = Math.toIntExact(Tensor.elementCount(shape));
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        Object data = switch (type) {
            case FP32 -> {
                float[] values = new float[count];
                bytes.asFloatBuffer().get(values);
                yield values;
            }
            case FP64 -> {
                double[] values = new double[count];
                bytes.asDoubleBuffer().get(values);
                yield values;
            }
            case FP16 -> {
                short[] values = new short[count];
                bytes.asShortBuffer().get(values);
                yield values;
            }
            case INT8, UINT8 -> {
                byte[] values = new byte[count];
                bytes.get(values);
                yield values;
            }
            case INT32 -> {
                int[] values = new int[count];
                bytes.asIntBuffer().get(values);
                yield values;
            }
            case INT64 -> {
                long[] values = new long[count];
                bytes.asLongBuffer().get(values);
                yield values;
            }
            case BOOL -> {
                boolean[] values = new boolean[count];
                for (int i = 0; i < count; i++) {
                    values[i] = bytes.get(i) != 0;
                }
                yield values;
            }
            default -> throw new IllegalStateException("unreachable: " + type);
        };
        return new Tensor(name, type, shape, data);
    }
}
