package dev.torpor.function.onnx;


/**
 * Writes minimal ONNX models (serialized {@code onnx.ModelProto}) by hand, so that tests can cover every
 * element type without a model zoo or Python. Field numbers are those of {@code onnx.proto}; models use
 * IR version 8 and the default-domain opset 13.
 *
 * <p>Dimensions are given as numbers (fixed) or strings (symbolic, written as {@code dim_param}).
 */
final class OnnxModels {
    // onnx.TensorProto.DataType
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int UINT16 = 4;
    static final int INT16 = 5;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int STRING = 8;
    static final int BOOL = 9;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int UINT32 = 12;
    static final int UINT64 = 13;
    static final int BFLOAT16 = 16;

    private OnnxModels() {
    }

    /** {@code y = Identity(x)}, both of {@code elemType} and shape {@code dims}. */
    static byte[] identity(int elemType, Object... dims) {
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("Identity", new String[] {"x"}, "y"))
                .string(2, "identity")
                .message(11, OnnxProto.valueInfo("x", OnnxProto.tensorType(elemType, dims)))
                .message(12, OnnxProto.valueInfo("y", OnnxProto.tensorType(elemType, dims)));
        return model(graph);
    }

    /** {@code c = Add(a, b)}, all of {@code elemType} and shape {@code dims}. */
    static byte[] add(int elemType, Object... dims) {
        return addChain(1, elemType, dims);
    }

    /**
     * {@code c = (((a + b) + b) + b)…} with {@code nodes} Add nodes in a row: a model whose run takes as long
     * as a test needs, made of steps ORT cannot fold away since {@code a} and {@code b} are inputs.
     */
    static byte[] addChain(int nodes, int elemType, Object... dims) {
        OnnxProto graph = new OnnxProto();
        String previous = "a";
        for (int i = 1; i <= nodes; i++) {
            String out = i == nodes ? "c" : "t" + i;
            graph.message(1, OnnxProto.node("Add", new String[] {previous, "b"}, out));
            previous = out;
        }
        graph.string(2, "add")
                .message(11, OnnxProto.valueInfo("a", OnnxProto.tensorType(elemType, dims)))
                .message(11, OnnxProto.valueInfo("b", OnnxProto.tensorType(elemType, dims)))
                .message(12, OnnxProto.valueInfo("c", OnnxProto.tensorType(elemType, dims)));
        return model(graph);
    }

    /** {@code s = SequenceConstruct(x)}: a model whose output is a sequence of tensors, not a tensor. */
    static byte[] sequenceOutput(int elemType, Object... dims) {
        OnnxProto sequence = new OnnxProto().message(4, new OnnxProto().message(1, OnnxProto.tensorType(elemType, dims)));
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("SequenceConstruct", new String[] {"x"}, "s"))
                .string(2, "sequence")
                .message(11, OnnxProto.valueInfo("x", OnnxProto.tensorType(elemType, dims)))
                .message(12, OnnxProto.valueInfo("s", sequence));
        return model(graph);
    }

    private static byte[] model(OnnxProto graph) {
        return OnnxProto.model(graph, "torpor-tests");
    }
}
