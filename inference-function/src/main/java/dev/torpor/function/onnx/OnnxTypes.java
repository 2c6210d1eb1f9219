package dev.torpor.function.onnx;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import ai.onnxruntime.ValueInfo;
import dev.torpor.error.BadInput;
import dev.torpor.store.DataType;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates ONNX Runtime's view of a model's inputs and outputs into Torpor's {@link Signature}, refusing
 * what Torpor cannot serve through ONNX Runtime's Java API.
 */
final class OnnxTypes {
    private static final String PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

    private OnnxTypes() {
    }

    /**
     * The protocol datatype ORT's Java API exchanges for {@code type}, or null when there is none: UINT16,
     * UINT32 and UINT64 exist in the protocol but ORT's Java API cannot create such tensors; BFLOAT16,
     * the complex and the float8 types have no protocol datatype at all.
     */
    static DataType exchangeable(OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
            default -> null;
        };
    }

    /** The signature of a model whose inputs and outputs ORT reports as {@code inputs} and {@code outputs}. */
    static Signature signature(Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
        return new Signature(specs("input", inputs), specs("output", outputs));
    }

    private static List<TensorSpec> specs(String role, Map<String, NodeInfo> nodes) {
        List<TensorSpec> specs = new ArrayList<>(nodes.size());
        for (NodeInfo node : nodes.values()) {
            specs.add(spec(role, node.getName(), node.getInfo()));
        }
        return specs;
    }

    private static TensorSpec spec(String role, String name, ValueInfo info) {
        if (!(info instanceof TensorInfo tensor)) {
            throw new BadInput(role + " '" + name + "' is " + kind(info)
                    + ", not a tensor; the Open Inference Protocol exchanges only tensors");
        }
        DataType type = exchangeable(tensor.onnxType);
        if (type == null) {
            throw new BadInput(refusal(role, name, tensor.onnxType));
        }
        long[] shape = tensor.getShape();
        for (int i = 0; i < shape.length; i++) {
            // ORT reports a symbolic or unknown dimension as -1, which is also the protocol's "any size".
            if (shape[i] < 0) {
                shape[i] = -1;
            }
        }
        return new TensorSpec(name, type, shape);
    }

    /** Why a tensor of {@code type} cannot be served, naming the tensor and the type. */
    static String refusal(String role, String name, OnnxTensorType type) {
        String typeName = type.name().startsWith(PREFIX) ? type.name().substring(PREFIX.length()) : type.name();
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32,
                    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> role + " '" + name + "' has datatype " + typeName
                    + ", which ONNX Runtime's Java API cannot exchange";
            default -> role + " '" + name + "' has ONNX element type " + typeName
                    + ", which has no Open Inference Protocol datatype that ONNX Runtime's Java API can exchange";
        };
    }

    private static String kind(ValueInfo info) {
        if (info instanceof MapInfo) {
            return "a map";
        }
        if (info instanceof SequenceInfo) {
            return "a sequence";
        }
        return "a " + info.getClass().getSimpleName();
    }
}
