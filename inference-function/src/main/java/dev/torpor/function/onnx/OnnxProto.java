package dev.torpor.function.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes ONNX {@code ModelProto} bytes by hand — just enough of the protobuf wire format (varints, wire type 0,
 * and length-delimited fields, 2) and of ONNX's messages (graph, node, value info, tensor type) for the small
 * built-in models Torpor makes itself: the warm-up model of pooled function processes, and the tests' models.
 * Field numbers are onnx.proto's.
 */
final class OnnxProto {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    OnnxProto varint(int field, long value) {
        tag(field, 0);
        writeVarint(value);
        return this;
    }

    OnnxProto string(int field, String value) {
        return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
    }

    OnnxProto message(int field, OnnxProto message) {
        return lengthDelimited(field, message.bytes());
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private OnnxProto lengthDelimited(int field, byte[] payload) {
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

    static OnnxProto node(String opType, String[] inputs, String output) {
        OnnxProto node = new OnnxProto();
        for (String input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(3, opType + "_" + output).string(4, opType);
    }

    /** An integer {@code AttributeProto} (type INT), for a node's field 5. */
    static OnnxProto intAttribute(String name, long value) {
        return new OnnxProto().string(1, name).varint(3, value).varint(20, 2);
    }

    /** A string {@code AttributeProto} (type STRING), for a node's field 5. */
    static OnnxProto stringAttribute(String name, String value) {
        return new OnnxProto().string(1, name).string(4, value).varint(20, 3);
    }

    static OnnxProto valueInfo(String name, OnnxProto type) {
        return new OnnxProto().string(1, name).message(2, type);
    }

    static OnnxProto tensorType(int elemType, Object... dims) {
        OnnxProto shape = new OnnxProto();
        for (Object dim : dims) {
            OnnxProto dimension = new OnnxProto();
            if (dim instanceof String param) {
                dimension.string(2, param);
            } else {
                dimension.varint(1, ((Number) dim).longValue());
            }
            shape.message(1, dimension);
        }
        return new OnnxProto().message(1, new OnnxProto().varint(1, elemType).message(2, shape));
    }

    /** A ModelProto around {@code graph}: IR version 8, the default domain at opset 13. */
    static byte[] model(OnnxProto graph, String producer) {
        return new OnnxProto()
                .varint(1, 8) // ir_version
                .string(2, producer) // producer_name
                .message(7, graph)
                .message(8, new OnnxProto().string(1, "").varint(2, 13)) // opset_import: default domain, opset 13
                .bytes();
    }
}
