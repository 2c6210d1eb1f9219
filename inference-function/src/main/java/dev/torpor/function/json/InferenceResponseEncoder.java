package dev.torpor.function.json;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes an {@link InferenceResponse} as Open Inference Protocol JSON:
 * {@code {"model_name","model_version","id"?,"outputs":[{"name","shape","datatype","data"}]}}, with
 * {@code id} left out when it is null and {@code data} always flat (row-major).
 *
 * <p>Elements are written straight from the tensors' primitive arrays with Jackson's streaming generator
 * (no boxing, no tree). Unsigned types are printed unsigned, FP16 as the float it stands for, and the
 * non-finite floats, which JSON cannot write as numbers, as the strings {@code "NaN"}, {@code "Infinity"}
 * and {@code "-Infinity"} that {@link InferenceRequestDecoder} reads back.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class InferenceResponseEncoder {
    private final JsonFactory factory = JsonFactory.builder()
            // The caller owns the stream (an HTTP response body) and decides when to close it.
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            // Schubfach instead of Float.toString: the shortest decimal that reads back as the same float, faster.
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** Writes the response to {@code out}, which is flushed and left open. */
    public void encode(InferenceResponse response, OutputStream out) throws IOException {
        try (JsonGenerator generator = factory.createGenerator(out, JsonEncoding.UTF8)) {
            writeHead(generator, response);
            for (Tensor output : response.outputs()) {
                writeTensor(generator, output);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        }
    }

    /**
     * A response body: the JSON, followed by the binary data of the outputs sent as binary data when there are
     * any ({@code headerLength} is then the JSON's length, for the {@code Inference-Header-Content-Length}
     * header; -1 when the body is all JSON).
     */
    public record Encoded(byte[] body, int headerLength) {
        public boolean binary() {
            return headerLength >= 0;
        }
    }

    /**
     * Encodes {@code response} with the binary tensor data extension: the outputs for which {@code binary}
     * says true carry {@code "parameters": {"binary_data_size": N}} instead of {@code data}, and their
     * elements follow the JSON in the order of the outputs.
     */
    public Encoded encode(InferenceResponse response, java.util.function.Predicate<String> binary) {
        java.util.List<Tensor> raw = new java.util.ArrayList<>();
        long rawBytes = 0;
        long[] sizes = new long[response.outputs().size()];
        for (int i = 0; i < sizes.length; i++) {
            Tensor output = response.outputs().get(i);
            if (binary.test(output.name())) {
                sizes[i] = BinaryTensorData.byteSize(output);
                rawBytes += sizes[i];
                raw.add(output);
            } else {
                sizes[i] = -1;
            }
        }
        if (raw.isEmpty()) {
            return new Encoded(encode(response), -1);
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = factory.createGenerator(json, JsonEncoding.UTF8)) {
            writeHead(generator, response);
            for (int i = 0; i < sizes.length; i++) {
                Tensor output = response.outputs().get(i);
                if (sizes[i] < 0) {
                    writeTensor(generator, output);
                } else {
                    generator.writeStartObject();
                    writeMeta(generator, output);
                    generator.writeObjectFieldStart("parameters");
                    generator.writeNumberField("binary_data_size", sizes[i]);
                    generator.writeEndObject();
                    generator.writeEndObject();
                }
            }
            generator.writeEndArray();
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        long total = json.size() + rawBytes;
        if (total > DecodeLimits.MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("the response's binary outputs add up to " + rawBytes
                    + " bytes, more than one response body can hold");
        }
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate((int) total);
        body.put(json.toByteArray());
        for (Tensor output : raw) {
            BinaryTensorData.write(output, body);
        }
        return new Encoded(body.array(), json.size());
    }

    /** The response as UTF-8 JSON bytes. */
    public byte[] encode(InferenceResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encode(response, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    /** The response object up to the opening of its {@code outputs} array. */
    private static void writeHead(JsonGenerator generator, InferenceResponse response) throws IOException {
        generator.writeStartObject();
        generator.writeStringField("model_name", response.modelName());
        generator.writeStringField("model_version", response.modelVersion());
        if (response.id() != null) {
            generator.writeStringField("id", response.id());
        }
        generator.writeArrayFieldStart("outputs");
    }

    private static void writeMeta(JsonGenerator generator, Tensor tensor) throws IOException {
        generator.writeStringField("name", tensor.name());
        long[] shape = tensor.shape();
        generator.writeFieldName("shape");
        generator.writeArray(shape, 0, shape.length);
        generator.writeStringField("datatype", tensor.datatype().name());
    }

    private static void writeTensor(JsonGenerator generator, Tensor tensor) throws IOException {
        generator.writeStartObject();
        writeMeta(generator, tensor);
        generator.writeFieldName("data");
        generator.writeStartArray();
        writeElements(generator, tensor);
        generator.writeEndArray();
        generator.writeEndObject();
    }

    private static void writeElements(JsonGenerator generator, Tensor tensor) throws IOException {
        Object data = tensor.data();
        switch (tensor.datatype()) {
            case BOOL -> {
                for (boolean value : (boolean[]) data) {
                    generator.writeBoolean(value);
                }
            }
            case INT8 -> {
                for (byte value : (byte[]) data) {
                    generator.writeNumber(value);
                }
            }
            case UINT8 -> {
                for (byte value : (byte[]) data) {
                    generator.writeNumber(value & 0xFF);
                }
            }
            case INT16 -> {
                for (short value : (short[]) data) {
                    generator.writeNumber(value);
                }
            }
            case UINT16 -> {
                for (short value : (short[]) data) {
                    generator.writeNumber(value & 0xFFFF);
                }
            }
            case INT32 -> {
                for (int value : (int[]) data) {
                    generator.writeNumber(value);
                }
            }
            case UINT32 -> {
                for (int value : (int[]) data) {
                    generator.writeNumber(value & 0xFFFF_FFFFL);
                }
            }
            case INT64 -> {
                for (long value : (long[]) data) {
                    generator.writeNumber(value);
                }
            }
            case UINT64 -> {
                for (long value : (long[]) data) {
                    if (value >= 0) {
                        generator.writeNumber(value);
                    } else {
                        // Above 2^63-1: the same bits read unsigned; the only case that allocates.
                        generator.writeNumber(Long.toUnsignedString(value));
                    }
                }
            }
            case FP16 -> {
                for (short bits : (short[]) data) {
                    writeFloat(generator, Fp16Conversions.fp16ToFloat(bits));
                }
            }
            case FP32 -> {
                for (float value : (float[]) data) {
                    writeFloat(generator, value);
                }
            }
            case FP64 -> {
                for (double value : (double[]) data) {
                    if (Double.isFinite(value)) {
                        generator.writeNumber(value);
                    } else {
                        generator.writeString(nonFinite(value));
                    }
                }
            }
            case BYTES -> {
                for (String value : (String[]) data) {
                    generator.writeString(value);
                }
            }
        }
    }

    private static void writeFloat(JsonGenerator generator, float value) throws IOException {
        if (Float.isFinite(value)) {
            generator.writeNumber(value);
        } else {
            generator.writeString(nonFinite(value));
        }
    }

    private static String nonFinite(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }
}
