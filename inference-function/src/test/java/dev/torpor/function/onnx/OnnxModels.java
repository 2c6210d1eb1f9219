package dev.torpor.function.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

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
        Proto graph = new Proto()
                .message(1, node("Identity", new String[] {"x"}, "y"))
                .string(2, "identity")
                .message(11, valueInfo("x", tensorType(elemType, dims)))
                .message(12, valueInfo("y", tensorType(elemType, dims)));
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
        Proto graph = new Proto();
        String previous = "a";
        for (int i = 1; i <= nodes; i++) {
            String out = i == nodes ? "c" : "t" + i;
            graph.message(1, node("Add", new String[] {previous, "b"}, out));
            previous = out;
        }
        graph.string(2, "add")
                .message(11, valueInfo("a", tensorType(elemType, dims)))
                .message(11, valueInfo("b", tensorType(elemType, dims)))
                .message(12, valueInfo("c", tensorType(elemType, dims)));
        return model(graph);
    }

    /** {@code s = SequenceConstruct(x)}: a model whose output is a sequence of tensors, not a tensor. */
    static byte[] sequenceOutput(int elemType, Object... dims) {
        Proto sequence = new Proto().message(4, new Proto().message(1, tensorType(elemType, dims)));
        Proto graph = new Proto()
                .message(1, node("SequenceConstruct", new String[] {"x"}, "s"))
                .string(2, "sequence")
                .message(11, valueInfo("x", tensorType(elemType, dims)))
                .message(12, valueInfo("s", sequence));
        return model(graph);
    }

    private static byte[] model(Proto graph) {
        return new Proto()
                .varint(1, 8) // ir_version
                .string(2, "torpor-tests") // producer_name
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

    /** A TypeProto whose tensor_type has {@code elemType} and the given dimensions. */
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

        /** Seven bits per byte, least significant first, high bit set on all but the last byte. */
        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
