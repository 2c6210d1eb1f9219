package dev.torpor.function.json;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InferenceResponseEncoderTest {
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();

    private String json(InferenceResponse response) {
        return new String(encoder.encode(response), StandardCharsets.UTF_8);
    }

    /**
     * Encodes the tensors as a response's outputs, then decodes those same output objects as a request's
     * inputs: the protocol gives both the same {name, shape, datatype, data} form.
     */
    private List<Tensor> roundTrip(List<Tensor> tensors) {
        String text = json(new InferenceResponse("m", "1", null, tensors));
        String prefix = "{\"model_name\":\"m\",\"model_version\":\"1\",\"outputs\":";
        assertThat(text).startsWith(prefix);
        InferenceRequest request = decoder.decode(("{\"inputs\":" + text.substring(prefix.length()))
                .getBytes(StandardCharsets.UTF_8));
        return request.inputs();
    }

    private void assertRoundTrips(Tensor... tensors) {
        assertThat(roundTrip(List.of(tensors))).containsExactly(tensors);
    }

    @Test
    void writesTheProtocolsResponseShape() {
        Tensor y = new Tensor("y", DataType.FP32, new long[] {2, 1}, new float[] {0.5f, -2f});
        assertThat(json(new InferenceResponse("vad", "3", "r-1", List.of(y)))).isEqualTo(
                "{\"model_name\":\"vad\",\"model_version\":\"3\",\"id\":\"r-1\",\"outputs\":[{\"name\":\"y\","
                        + "\"shape\":[2,1],\"datatype\":\"FP32\",\"data\":[0.5,-2.0]}]}");
        assertThat(json(new InferenceResponse("vad", "3", null, List.of()))).isEqualTo(
                "{\"model_name\":\"vad\",\"model_version\":\"3\",\"outputs\":[]}");
    }

    @Test
    void printsUnsignedTypesUnsignedAndFp16AsFloats() {
        String text = json(new InferenceResponse("m", "1", null, List.of(
                new Tensor("a", DataType.UINT8, new long[] {2}, new byte[] {(byte) 255, 1}),
                new Tensor("b", DataType.UINT16, new long[] {1}, new short[] {(short) 65535}),
                new Tensor("c", DataType.UINT32, new long[] {1}, new int[] {-1}),
                new Tensor("d", DataType.UINT64, new long[] {2}, new long[] {-1L, Long.MIN_VALUE}),
                new Tensor("e", DataType.FP16, new long[] {2}, new short[] {(short) 0x3E00, (short) 0x7BFF}),
                new Tensor("f", DataType.INT8, new long[] {1}, new byte[] {-1}))));
        assertThat(text).contains("\"data\":[255,1]", "\"data\":[65535]", "\"data\":[4294967295]",
                "\"data\":[18446744073709551615,9223372036854775808]", "\"data\":[1.5,65504.0]", "\"data\":[-1]");
    }

    @Test
    void writesNonFiniteFloatsAsStrings() {
        String text = json(new InferenceResponse("m", "1", null, List.of(
                new Tensor("a", DataType.FP32, new long[] {3}, new float[] {Float.NaN, Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY}),
                new Tensor("b", DataType.FP64, new long[] {3}, new double[] {Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY}),
                new Tensor("c", DataType.FP16, new long[] {3}, new short[] {(short) 0x7E00, (short) 0x7C00,
                        (short) 0xFC00}))));
        assertThat(text.split("\\[\"NaN\",\"Infinity\",\"-Infinity\"]", -1)).hasSize(4);
        assertRoundTrips(new Tensor("a", DataType.FP32, new long[] {3}, new float[] {Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}));
    }

    @Test
    void everyDatatypeRoundTrips() {
        assertRoundTrips(
                new Tensor("bool", DataType.BOOL, new long[] {2, 2}, new boolean[] {true, false, false, true}),
                new Tensor("u8", DataType.UINT8, new long[] {3}, new byte[] {0, (byte) 128, (byte) 255}),
                new Tensor("i8", DataType.INT8, new long[] {3}, new byte[] {-128, 0, 127}),
                new Tensor("i16", DataType.INT16, new long[] {2}, new short[] {Short.MIN_VALUE, Short.MAX_VALUE}),
                new Tensor("u16", DataType.UINT16, new long[] {3}, new short[] {0, Short.MIN_VALUE, -1}),
                new Tensor("i32", DataType.INT32, new long[] {2}, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}),
                new Tensor("u32", DataType.UINT32, new long[] {3}, new int[] {0, Integer.MIN_VALUE, -1}),
                new Tensor("i64", DataType.INT64, new long[] {2}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}),
                new Tensor("u64", DataType.UINT64, new long[] {4}, new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, -1}),
                new Tensor("f16", DataType.FP16, new long[] {3}, new short[] {(short) 0x0001, (short) 0x8400,
                        (short) 0xFBFF}),
                new Tensor("f32", DataType.FP32, new long[] {4}, new float[] {Float.MIN_VALUE, -Float.MAX_VALUE,
                        0.1f, -0f}),
                new Tensor("f64", DataType.FP64, new long[] {4}, new double[] {Double.MIN_VALUE, Double.MAX_VALUE,
                        0.1, 1e-310}),
                new Tensor("bytes", DataType.BYTES, new long[] {3}, new String[] {"", "quote \" and \\ ", "é😀\n"}),
                new Tensor("scalar", DataType.INT64, new long[] {}, new long[] {16000}),
                new Tensor("empty", DataType.FP32, new long[] {0, 3}, new float[0]));
    }

    @Test
    void everyFiniteHalfAndManyFloatsAndDoublesRoundTripExactly() {
        List<Short> halves = new ArrayList<>();
        for (int bits = 0; bits < 0x10000; bits++) {
            if (!Float.isNaN(Fp16Conversions.fp16ToFloat((short) bits))) {
                halves.add((short) bits);
            }
        }
        short[] half = new short[halves.size()];
        for (int i = 0; i < half.length; i++) {
            half[i] = halves.get(i);
        }
        Random random = new Random(42);
        float[] floats = new float[20_000];
        double[] doubles = new double[20_000];
        for (int i = 0; i < floats.length; i++) {
            // Random bit patterns cover subnormals and every exponent, not only [0, 1).
            float f = Float.intBitsToFloat(random.nextInt());
            floats[i] = Float.isNaN(f) ? i : f;
            double d = Double.longBitsToDouble(random.nextLong());
            doubles[i] = Double.isNaN(d) ? i : d;
        }
        assertRoundTrips(new Tensor("h", DataType.FP16, new long[] {half.length}, half),
                new Tensor("f", DataType.FP32, new long[] {floats.length}, floats),
                new Tensor("d", DataType.FP64, new long[] {doubles.length}, doubles));
    }

    @Test
    void writesIntoAStreamAndLeavesItOpen() throws IOException {
        class Tracking extends ByteArrayOutputStream {
            boolean closed;

            @Override
            public void close() {
                closed = true;
            }
        }
        Tracking out = new Tracking();
        InferenceResponse response = new InferenceResponse("m", "1", null,
                List.of(new Tensor("y", DataType.INT32, new long[] {1}, new int[] {7})));
        encoder.encode(response, out);
        assertThat(out.closed).isFalse();
        assertThat(out.toByteArray()).isEqualTo(encoder.encode(response));
    }
}
