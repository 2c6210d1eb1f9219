package dev.torpor.function.onnx;

/**
 * A minimal ONNX model written by hand (a serialized {@code onnx.ModelProto}, IR 8, opset 13), for warming
 * up ONNX Runtime's session-creation and run paths without any file from the store: {@code c = Add(a, b)}
 * over {@code float[1, N]} ({@code N} symbolic) and {@code y = Identity(x)} over {@code int64[1]}, so that
 * both a float and an int64 tensor cross the Java binding. The other models here are for tests and demonstrations
 * of how Torpor answers a model that fails in a way the request chooses.
 */
public final class TinyOnnx {
    private static final int FLOAT = 1;
    private static final int STRING = 8;
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

    /**
     * {@code Y = LSTM(X, W, R, initial_h)} with {@code hidden_size} 2 and the weights as inputs: {@code X} FP32
     * [s, b, 2], {@code W} and {@code R} FP32 [1, 8, 2], {@code initial_h} FP32 [1, h, 2]; {@code Y} FP32 [s, 1, b, 2].
     * The signature leaves the batch of {@code X} and of {@code initial_h} free, so only the LSTM kernel notices when
     * they differ (a shape clash inside the graph). For tests; Torpor itself never serves it.
     */
    public static byte[] lstm() {
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("LSTM", new String[] {"X", "W", "R", "", "", "initial_h"}, "Y")
                        .message(5, OnnxProto.intAttribute("hidden_size", 2)))
                .string(2, "torpor-lstm")
                .message(11, OnnxProto.valueInfo("X", OnnxProto.tensorType(FLOAT, "s", "b", 2L)))
                .message(11, OnnxProto.valueInfo("W", OnnxProto.tensorType(FLOAT, 1L, 8L, 2L)))
                .message(11, OnnxProto.valueInfo("R", OnnxProto.tensorType(FLOAT, 1L, 8L, 2L)))
                .message(11, OnnxProto.valueInfo("initial_h", OnnxProto.tensorType(FLOAT, 1L, "h", 2L)))
                .message(12, OnnxProto.valueInfo("Y", OnnxProto.tensorType(FLOAT, "s", 1L, "b", 2L)));
        return OnnxProto.model(graph, "torpor");
    }

    /**
     * {@code y = StringNormalizer(x)} upper-casing STRING [c] in {@code locale}: with a locale the machine lacks,
     * ONNX Runtime refuses to create the session with a message that names its own source file. For tests; Torpor
     * itself never serves it.
     */
    public static byte[] stringNormalizer(String locale) {
        OnnxProto graph = new OnnxProto()
                .message(1, OnnxProto.node("StringNormalizer", new String[] {"x"}, "y")
                        .message(5, OnnxProto.stringAttribute("case_change_action", "UPPER"))
                        .message(5, OnnxProto.stringAttribute("locale", locale)))
                .string(2, "torpor-string-normalizer")
                .message(11, OnnxProto.valueInfo("x", OnnxProto.tensorType(STRING, "c")))
                .message(12, OnnxProto.valueInfo("y", OnnxProto.tensorType(STRING, "d")));
        return OnnxProto.model(graph, "torpor");
    }
}
