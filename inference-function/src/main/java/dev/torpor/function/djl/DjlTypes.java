package dev.torpor.function.djl;

import dev.torpor.error.BadInput;
import dev.torpor.store.DataType;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;

/**
 * The Open Inference Protocol datatypes Torpor exchanges with DJL: FP32, FP64, FP16, INT8, UINT8, INT32,
 * INT64 and BOOL. The others (INT16, UINT16, UINT32, UINT64, BYTES) have no DJL NDArray type that both
 * engines share, and a model declaring them is refused at publish, naming the tensor and the type.
 */
final class DjlTypes {
    private DjlTypes() {
    }

    /** DJL's type for {@code type}, or null when Torpor does not exchange it with DJL. */
    static ai.djl.ndarray.types.DataType toDjl(DataType type) {
        return switch (type) {
            case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
            case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
            case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
            case INT16, UINT16, UINT32, UINT64, BYTES -> null;
        };
    }

    /** The protocol datatype of a DJL type, or null when Torpor does not exchange it. */
    static DataType fromDjl(ai.djl.ndarray.types.DataType type) {
        return switch (type) {
            case FLOAT32 -> DataType.FP32;
            case FLOAT64 -> DataType.FP64;
            case FLOAT16 -> DataType.FP16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOLEAN -> DataType.BOOL;
            default -> null;
        };
    }

    /**
     * @throws BadInput naming the first input or output whose datatype DJL cannot exchange
     */
    static void requireExchangeable(Signature signature) {
        check("input", signature.inputs());
        check("output", signature.outputs());
    }

    private static void check(String role, Iterable<TensorSpec> specs) {
        for (TensorSpec spec : specs) {
            if (toDjl(spec.datatype()) == null) {
                throw new BadInput(role + " '" + spec.name() + "' has datatype " + spec.datatype()
                        + ", which Torpor does not exchange with DJL (supported: FP32, FP64, FP16, INT8, UINT8, "
                        + "INT32, INT64, BOOL)");
            }
        }
    }
}
