package dev.torpor.function.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

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
        Proto graph = new Proto()
                .message(1, node("Add", new String[] {"a", "b"}, "c"))
                .message(1, node("Identity", new String[] {"x"}, "y"))
                .string(2, "torpor-warm-up")
                .message(11, valueInfo("a", tensorType(FLOAT, 1L, "n")))
                .message(11, valueInfo("b", tensorType(FLOAT, 1L, "n")))
                .message(11, valueInfo("x", tensorType(INT64, 1L)))
                .message(12, valueInfo("c", tensorType(FLOAT, 1L, "n")))
                .message(12, valueInfo("y", tensorType(INT64, 1L)));
        return new Proto()
                .varint(1, 8) // ir_version
                .string(2, "torpor") // producer_name
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13)) // opset_import: default domain, opset 13
                .bytes();
    }

    private static Proto node(String opType, String[] inputs, String output) {
        Proto node = new Proto();
        for (String input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(3, opType + "_" + output).string(4, opType);
    }

    private static Proto valueInfo(String name, Proto type) {
        return new Proto().string(1, name).message(2, type);
    }

    private static Proto tensorType(int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object dim : dims) {
            Proto dimension = new Proto();
            if (dim instanceof String param) {
                dimension.string(2, param);
            } else {
                dimension.varint(1, ((Number) dim).longValue());
            }
            shape.message(1, dimension);
        }
        return new Proto().message(1, new Proto().varint(1, elemType).message(2, shape));
    }

    /** Just enough of the protobuf wire format: varints (wire type 0) and length-delimited fields (2). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, 0);
            writeVarint(value);
            return this;
        }

        Proto string(int field, String value) {
            return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return lengthDelimited(field, message.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private Proto lengthDelimited(int field, byte[] payload) {
            tag(field, 2);
            writeVarint(payload.length);
            out.writeBytes(payload);
            return this;
        }

        private void tag(int field, int wireType) {
            writeVarint(((long) field << 3) | wireType);
        }

        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
