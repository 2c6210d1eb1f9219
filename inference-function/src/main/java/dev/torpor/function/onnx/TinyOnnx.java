package dev.torpor.function.onnx;

/**
 * A minimal ONNX model written by hand (a serialized {@code onnx.ModelProto}, IR 8, opset 13), for warming
 * up ONNX Runtime's session-creation and run paths without any file from the store: {@code c = Add(a, b)}
 * over {@code float[1, N]} ({@code N} symbolic) and {@code y = Identity(x)} over {@code int64[1]}, so that
 * both a float and an int64 tensor cross the Java binding.
 */
public final class TinyOnnx {
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private TinyOnnx() {
    }

    /** Inputs {@code a}, {@code b} (FP32 [1, n]) and {@code x} (INT64 [1]); outputs {@code c = a + b}, {@code y = x}. */
    public static byte[] addAndIdentity() {
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("Add", new String[] {"a", "b"}, "c"))
                .message(1, OnnxProto.node("Identity", new String[] {"x"}, "y"))
                .string(2, "torpor-warm-up")
                .message(11, OnnxProto.valueInfo("a", OnnxProto.tensorType(FLOAT, 1L, "n")))
                .message(11, OnnxProto.valueInfo("b", OnnxProto.tensorType(FLOAT, 1L, "n")))
                .message(11, OnnxProto.valueInfo("x", OnnxProto.tensorType(INT64, 1L)))
                .message(12, OnnxProto.valueInfo("c", OnnxProto.tensorType(FLOAT, 1L, "n")))
                .message(12, OnnxProto.valueInfo("y", OnnxProto.tensorType(INT64, 1L)));
        return OnnxProto.model(graph, "torpor");
    }

    /**
     * {@code y = Tile(x, repeats)} over {@code float[n]} and {@code int64[r]}: a model whose answer's size and whose
     * failure are the request's to choose (a large {@code repeats} makes a large answer, a {@code repeats} of the
     * wrong length makes ONNX Runtime fail mid-run). For tests and demonstrations of the output limit and of
     * failure isolation; Torpor itself never serves it.
     */
    public static byte[] tile() {
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("Tile", new String[] {"x", "repeats"}, "y"))
                .string(2, "torpor-tile")
                .message(11, OnnxProto.valueInfo("x", OnnxProto.tensorType(FLOAT, "n")))
                .message(11, OnnxProto.valueInfo("repeats", OnnxProto.tensorType(INT64, "r")))
                .message(12, OnnxProto.valueInfo("y", OnnxProto.tensorType(FLOAT, "m")));
        return OnnxProto.model(graph, "torpor");
    }
}
