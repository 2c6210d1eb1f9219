package dev.torpor.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * One input tensor of a bench request, FP32 or INT64, in the three forms the bench needs: an ORT tensor for the
 * floor, a V2 JSON input object, and raw little-endian bytes for Triton's binary tensor extension. All three
 * carry exactly the same values (floats are written with {@link Float#toString(float)}, the shortest decimal that
 * parses back to the same float), so Torpor's outputs must equal the floor's.
 */
record InputTensor(String name, long[] shape, float[] floats, long[] longs) {
    static InputTensor fp32(String name, long[] shape, float[] values) {
        return new InputTensor(name, shape, values, null);
    }

    static InputTensor int64(String name, long[] shape, long[] values) {
        return new InputTensor(name, shape, null, values);
    }

    String datatype() {
        return floats != null ? "FP32" : "INT64";
    }

    int elements() {
        return floats != null ? floats.length : longs.length;
    }

    /** A fresh native tensor (ORT copies the array); the caller closes it. */
    OnnxTensor toOrt(OrtEnvironment env) throws OrtException {
        return floats != null ? OnnxTensor.createTensor(env, FloatBuffer.wrap(floats), shape)
                : OnnxTensor.createTensor(env, LongBuffer.wrap(longs), shape);
    }

    /** {@code {"name":…,"datatype":…,"shape":[…],"data":[…]}}, or with {@code binary_data_size} instead of data. */
    void appendJson(StringBuilder out, boolean binary) {
        out.append("{\"name\":\"").append(name).append("\",\"datatype\":\"").append(datatype()).append("\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) {
            out.append(i == 0 ? "" : ",").append(shape[i]);
        }
        out.append("],");
        if (binary) {
            out.append("\"parameters\":{\"binary_data_size\":").append(rawBytes().length).append("}}");
            return;
        }
        out.append("\"data\":[");
        for (int i = 0; i < elements(); i++) {
            if (i > 0) {
                out.append(',');
            }
            if (floats != null) {
                out.append(floats[i]);
            } else {
                out.append(longs[i]);
            }
        }
        out.append("]}");
    }

    /** Row-major little-endian bytes, as the binary tensor extension carries them. */
    byte[] rawBytes() {
        ByteBuffer raw = ByteBuffer.allocate(elements() * (floats != null ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        if (floats != null) {
            raw.asFloatBuffer().put(floats);
        } else {
            raw.asLongBuffer().put(longs);
        }
        return raw.array();
    }
}
