package dev.torpor.samples.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One FP32 tensor of a given payload size and the bodies the benchmarks read and write it as: a KServe V2 JSON
 * request ({@code data} as numbers), the same request with the binary tensor data extension (a JSON header
 * giving {@code binary_data_size}, then the raw little-endian floats), and a response holding it as output.
 *
 * <p>The values are random in [-1, 1) from a fixed seed, so that the JSON numbers have the length of real
 * activations (about 11 characters each) and every run measures the same bytes.
 */
public final class CodecFixture {
    public static final String INPUT = "x";
    public static final String OUTPUT = "y";

    private final float[] values;
    private final byte[] jsonRequest;
    private final byte[] binaryRequest;
    private final int binaryHeaderLength;
    private final InferenceResponse response;

    private CodecFixture(float[] values) {
        this.values = values;
        this.jsonRequest = jsonRequest(values);
        byte[] header = binaryHeader(values.length).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        body.asFloatBuffer().put(values);
        this.binaryRequest = body.array();
        this.binaryHeaderLength = header.length;
        this.response = new InferenceResponse("bench", "1", null,
                List.of(new Tensor(OUTPUT, DataType.FP32, new long[] {1, values.length}, values)));
    }

    /** A fixture whose tensor holds {@code payloadBytes / 4} floats. */
    public static CodecFixture ofPayloadBytes(int payloadBytes) {
        if (payloadBytes < Float.BYTES || payloadBytes % Float.BYTES != 0) {
            throw new IllegalArgumentException("the payload must be a positive multiple of 4 bytes, not " + payloadBytes);
        }
        SplittableRandom random = new SplittableRandom(20261130L);
        float[] values = new float[payloadBytes / Float.BYTES];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return new CodecFixture(values);
    }

    private static byte[] jsonRequest(float[] values) {
        // A JSON body is ~3x its payload: start big enough that the buffer is not regrown many times.
        ByteArrayOutputStream out = new ByteArrayOutputStream(values.length * 12 + 128);
        try (JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("id", "bench");
            json.writeArrayFieldStart("inputs");
            json.writeStartObject();
            json.writeStringField("name", INPUT);
            json.writeFieldName("shape");
            json.writeArray(new long[] {1, values.length}, 0, 2);
            json.writeStringField("datatype", "FP32");
            json.writeFieldName("data");
            json.writeStartArray();
            for (float value : values) {
                json.writeNumber(value);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    private static String binaryHeader(int elements) {
        return "{\"id\":\"bench\",\"inputs\":[{\"name\":\"" + INPUT + "\",\"shape\":[1," + elements
                + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + elements * Float.BYTES + "}}]}";
    }

    /** The tensor's elements. Shared: callers must not change them. */
    public float[] values() {
        return values;
    }

    public int payloadBytes() {
        return values.length * Float.BYTES;
    }

    /** The V2 JSON request with the tensor as input {@link #INPUT}. */
    public byte[] jsonRequest() {
        return jsonRequest;
    }

    /** The binary-extension request: {@link #binaryHeaderLength()} bytes of JSON, then the raw floats. */
    public byte[] binaryRequest() {
        return binaryRequest;
    }

    public int binaryHeaderLength() {
        return binaryHeaderLength;
    }

    /** A response with the tensor as output {@link #OUTPUT}. */
    public InferenceResponse response() {
        return response;
    }
}
