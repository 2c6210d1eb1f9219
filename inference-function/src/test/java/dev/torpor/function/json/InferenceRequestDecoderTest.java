package dev.torpor.function.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.torpor.error.BadRequest;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InferenceRequestDecoderTest {
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();

    static InferenceRequest decode(InferenceRequestDecoder decoder, String json) {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private InferenceRequest decode(String json) {
        return decode(decoder, json);
    }

    private Tensor single(String datatype, String shape, String data) {
        InferenceRequest request = decode("{\"inputs\":[{\"name\":\"x\",\"shape\":" + shape + ",\"datatype\":\""
                + datatype + "\",\"data\":" + data + "}]}");
        assertThat(request.inputs()).hasSize(1);
        return request.inputs().get(0);
    }

    /** The error a body fails with, checked to be a 400 or 413 (never anything else, never a Jackson exception). */
    static TorporException failure(InferenceRequestDecoder decoder, String json) {
        TorporException error = catchThrowableOfType(TorporException.class, () -> decode(decoder, json));
        assertThat(error).as("decoding %s", json).isNotNull();
        assertThat(error).isInstanceOfAny(BadRequest.class, PayloadTooLarge.class);
        return error;
    }

    private TorporException badRequest(String json) {
        TorporException error = failure(decoder, json);
        assertThat(error).isInstanceOf(BadRequest.class);
        assertThat(error.kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        return error;
    }

    private TorporException badElement(String datatype, String data) {
        return badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"" + datatype + "\",\"data\":["
                + data + "]}]}");
    }

    @Test
    void decodesAFlatRequestWithIdParametersAndOutputs() {
        InferenceRequest request = decode("""
                {"id": "r1", "parameters": {"a": {"b": [1, 2]}},
                 "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32",
                             "data": [1, 2, 3, 4.5, -5, 6e-1], "parameters": {"content_type": "x"}}],
                 "outputs": [{"name": "y", "parameters": {}}, {"name": "z"}]}
                """);
        assertThat(request.id()).isEqualTo("r1");
        assertThat(request.requestedOutputs()).containsExactly("y", "z");
        Tensor x = request.inputs().get(0);
        assertThat(x.name()).isEqualTo("x");
        assertThat(x.datatype()).isEqualTo(DataType.FP32);
        assertThat(x.shape()).containsExactly(2, 3);
        assertThat((float[]) x.data()).containsExactly(1f, 2f, 3f, 4.5f, -5f, 0.6f);
    }

    @Test
    void absentIdAndOutputsAreNullAndEmpty() {
        InferenceRequest request = decode("{\"inputs\":[]}");
        assertThat(request.id()).isNull();
        assertThat(request.inputs()).isEmpty();
        assertThat(request.requestedOutputs()).isEmpty();
    }

    @Test
    void flattensNestedDataRowMajor() {
        Tensor x = single("INT32", "[2,2,2]", "[[[1,2],[3,4]],[[5,6],[7,8]]]");
        assertThat((int[]) x.data()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void aScalarTakesItsElementBareOrInAnArray() {
        assertThat((long[]) single("INT64", "[]", "16000").data()).containsExactly(16000L);
        assertThat((long[]) single("INT64", "[]", "[8000]").data()).containsExactly(8000L);
    }

    @Test
    void dataBeforeShapeAndDatatypeIsBufferedAndReplayed() {
        InferenceRequest request = decode("""
                {"inputs": [{"data": [[1.25, "NaN"], [3, 1e2]], "name": "x", "datatype": "FP64", "shape": [2, 2]},
                            {"datatype": "UINT64", "data": [18446744073709551615], "shape": [1], "name": "u"}]}
                """);
        assertThat((double[]) request.inputs().get(0).data()).containsExactly(1.25, Double.NaN, 3, 100);
        assertThat((long[]) request.inputs().get(1).data()).containsExactly(-1L);
        assertThat(badRequest("{\"inputs\":[{\"data\":[1,2],\"name\":\"x\",\"shape\":[3],\"datatype\":\"INT8\"}]}"))
                .hasMessage("input 'x' has 2 elements, its shape [3] needs 3");
        assertThat(badRequest("{\"inputs\":[{\"data\":[1,2],\"name\":\"x\",\"shape\":[2],\"datatype\":\"BOOL\"}]}"))
                .hasMessageContaining("input 'x' data[0]: BOOL takes true or false, not 1");
    }

    @Test
    void decodesEveryDatatypeIncludingExtremes() {
        assertThat((boolean[]) single("BOOL", "[3]", "[true,false,true]").data()).containsExactly(true, false, true);
        assertThat((byte[]) single("UINT8", "[3]", "[0,128,255]").data()).containsExactly(0, (byte) 128, (byte) 255);
        assertThat((byte[]) single("INT8", "[2]", "[-128,127]").data()).containsExactly(-128, 127);
        assertThat((short[]) single("INT16", "[2]", "[-32768,32767]").data()).containsExactly((short) -32768, (short) 32767);
        assertThat((short[]) single("UINT16", "[2]", "[0,65535]").data()).containsExactly((short) 0, (short) -1);
        assertThat((int[]) single("INT32", "[2]", "[-2147483648,2147483647]").data())
                .containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE);
        assertThat((int[]) single("UINT32", "[3]", "[0,2147483648,4294967295]").data())
                .containsExactly(0, Integer.MIN_VALUE, -1);
        assertThat((long[]) single("INT64", "[2]", "[-9223372036854775808,9223372036854775807]").data())
                .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat((long[]) single("UINT64", "[4]", "[0,9223372036854775807,9223372036854775808,18446744073709551615]")
                .data()).containsExactly(0L, Long.MAX_VALUE, Long.MIN_VALUE, -1L);
        assertThat((short[]) single("FP16", "[6]", "[1.5,-2,65504,0.0001,\"Infinity\",\"NaN\"]").data())
                .containsExactly((short) 0x3E00, (short) 0xC000, (short) 0x7BFF, Fp16Conversions.floatToFp16(0.0001f),
                        (short) 0x7C00, Fp16Conversions.floatToFp16(Float.NaN));
        assertThat(Fp16Conversions.fp16ToFloat(((short[]) single("FP16", "[1]", "[\"NaN\"]").data())[0])).isNaN();
        assertThat((float[]) single("FP32", "[6]", "[1,2.5,-3e-3,\"NaN\",\"Infinity\",\"-Infinity\"]").data())
                .containsExactly(1f, 2.5f, -3e-3f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertThat((double[]) single("FP64", "[4]", "[1,1.7976931348623157e308,4.9e-324,\"-Infinity\"]").data())
                .containsExactly(1, Double.MAX_VALUE, Double.MIN_VALUE, Double.NEGATIVE_INFINITY);
        assertThat((String[]) single("BYTES", "[3]", "[\"a\",\"\",\"h\\u00e9llo \\ud83d\\ude00\"]").data())
                .containsExactly("a", "", "héllo 😀");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "UINT8  | 256                  | 256 is out of range for UINT8 (0..255)",
            "UINT8  | -1                   | -1 is out of range for UINT8",
            "INT8   | 128                  | 128 is out of range for INT8 (-128..127)",
            "INT8   | -129                 | -129 is out of range for INT8",
            "INT16  | 32768                | out of range for INT16",
            "UINT16 | 65536                | out of range for UINT16 (0..65535)",
            "UINT16 | -1                   | out of range for UINT16",
            "INT32  | 2147483648           | out of range for INT32",
            "UINT32 | 4294967296           | out of range for UINT32",
            "UINT32 | -1                   | out of range for UINT32",
            "INT64  | 9223372036854775808  | out of range for INT64",
            "INT64  | -9223372036854775809 | out of range for INT64",
            "UINT64 | 18446744073709551616 | out of range for UINT64",
            "UINT64 | -1                   | -1 is out of range for UINT64",
            "UINT64 | -9223372036854775809 | out of range for UINT64",
            "FP16   | 65520                | 65520 is out of range for FP16",
            "FP32   | 1e39                 | 1e39 is out of range for FP32",
            "FP64   | 1e400                | 1e400 is out of range for FP64",
    })
    void refusesValuesOutOfRange(String datatype, String value, String message) {
        assertThat(badElement(datatype, value)).hasMessageContaining("input 'x' data[0]: ").hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "INT32  | 1.5       | INT32 takes integers, not 1.5",
            "INT64  | 1.0       | INT64 takes integers, not 1.0",
            "UINT8  | '\"1\"'   | UINT8 takes integers, not the string \"1\"",
            "BOOL   | 1         | BOOL takes true or false, not 1",
            "BOOL   | '\"true\"'| BOOL takes true or false, not the string \"true\"",
            "BYTES  | 1         | BYTES takes strings, not 1",
            "BYTES  | null      | BYTES takes strings, not null",
            "FP32   | '\"abc\"' | FP32 takes numbers or the strings \"NaN\", \"Infinity\" and \"-Infinity\", not the string \"abc\"",
            "FP64   | true      | FP64 takes numbers",
            "FP16   | null      | FP16 takes numbers",
            "INT8   | '{}'      | INT8 takes integers, not an object",
    })
    void refusesValuesOfTheWrongJsonType(String datatype, String value, String message) {
        assertThat(badElement(datatype, value)).hasMessageContaining("input 'x' data[0]: " + message);
    }

    @Test
    void namesTheElementIndexOfABadValue() {
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"UINT8\",\"data\":[[1,2],[3,300]]}]}"))
                .hasMessage("input 'x' data[3]: 300 is out of range for UINT8 (0..255)");
    }

    @Test
    void refusesAnElementCountThatDoesNotMatchTheShape() {
        String data = "[" + "0,".repeat(510) + "0]";
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,512],\"datatype\":\"FP32\",\"data\":" + data + "}]}"))
                .hasMessage("input 'x' has 511 elements, its shape [1,512] needs 512");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"))
                .hasMessage("input 'x' has 4 elements, its shape [2] needs 2");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[0],\"datatype\":\"FP32\",\"data\":[1]}]}"))
                .hasMessage("input 'x' has 1 elements, its shape [0] needs 0");
        assertThat((float[]) single("FP32", "[0,4]", "[]").data()).isEmpty();
    }

    @Test
    void refusesDataNestedDeeperThanItsShape() {
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[[1],[2]]}]}"))
                .hasMessageContaining("'data' of input 'x' is nested deeper than its shape [2] allows");
    }

    @Test
    void refusesMalformedTruncatedAndEmptyBodies() {
        assertThat(badRequest("")).hasMessage("the request body is empty");
        assertThat(badRequest("   ")).hasMessage("the request body is empty");
        assertThat(badRequest("{")).hasMessageStartingWith("malformed JSON: ");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,"))
                .hasMessageStartingWith("malformed JSON: ");
        assertThat(badRequest("{\"inputs\":[{\"data\":[1,")).hasMessageStartingWith("malformed JSON: ");
        assertThat(badRequest("hello")).hasMessageStartingWith("malformed JSON: ");
        assertThat(badRequest("{\"inputs\":[NaN]}")).hasMessageStartingWith("malformed JSON: ");
        assertThat(badRequest("{\"inputs\":[]} {}")).hasMessage("unexpected content after the request object");
        assertThat(badRequest("[]")).hasMessage("the request body must be a JSON object, not an array");
        assertThat(badRequest("\"x\"")).hasMessage("the request body must be a JSON object, not a string");
        assertThat(badRequest("{\"inputs\":[],\"inputs\":[]}")).hasMessageContaining("malformed JSON")
                .hasMessageContaining("inputs");
    }

    @Test
    void refusesEmptyAndMalformedStreamsToo() {
        assertThat(catchThrowableOfType(BadRequest.class, () -> decoder.decode(new ByteArrayInputStream(new byte[0]))))
                .hasMessage("the request body is empty");
        assertThat(catchThrowableOfType(BadRequest.class,
                () -> decoder.decode(new ByteArrayInputStream("{\"inputs\":[{".getBytes(StandardCharsets.UTF_8)))))
                .hasMessageStartingWith("malformed JSON: ");
        InferenceRequest request = decoder.decode(new ByteArrayInputStream(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[7]}]}".getBytes(StandardCharsets.UTF_8)));
        assertThat((byte[]) request.inputs().get(0).data()).containsExactly(7);
    }

    @Test
    void refusesUnknownFieldsNamingThem() {
        assertThat(badRequest("{\"inputs\":[],\"input\":[]}")).hasMessage("unknown field 'input' in the request");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1],\"dtype\":1}]}"))
                .hasMessage("unknown field 'dtype' in input 'x'");
        assertThat(badRequest("{\"inputs\":[{\"sahpe\":[1]}]}")).hasMessage("unknown field 'sahpe' in inputs[0]");
        assertThat(badRequest("{\"inputs\":[],\"outputs\":[{\"name\":\"y\",\"binary_data\":true}]}"))
                .hasMessage("unknown field 'binary_data' in outputs[0]");
    }

    @Test
    void refusesMissingFields() {
        assertThat(badRequest("{}")).hasMessage("the request has no 'inputs'");
        assertThat(badRequest("{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"))
                .hasMessage("inputs[0] has no 'name'");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]}"))
                .hasMessage("input 'x' has no 'shape'");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"data\":[1]}]}"))
                .hasMessage("input 'x' has no 'datatype'");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\"}]}"))
                .hasMessage("input 'x' has no 'data'");
        assertThat(badRequest("{\"inputs\":[],\"outputs\":[{}]}")).hasMessage("outputs[0] has no 'name'");
    }

    @Test
    void refusesFieldsOfTheWrongType() {
        assertThat(badRequest("{\"id\":5,\"inputs\":[]}")).hasMessage("'id' must be a string, not 5");
        assertThat(badRequest("{\"inputs\":{}}")).hasMessage("'inputs' must be an array, not an object");
        assertThat(badRequest("{\"inputs\":[1]}")).hasMessage("inputs[0] must be an object, not 1");
        assertThat(badRequest("{\"inputs\":[],\"outputs\":{}}")).hasMessage("'outputs' must be an array, not an object");
        assertThat(badRequest("{\"inputs\":[],\"parameters\":[]}"))
                .hasMessage("'parameters' of the request must be an object, not an array");
        assertThat(badRequest("{\"inputs\":[{\"name\":1}]}")).hasMessage("'name' of inputs[0] must be a string, not 1");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":2}]}"))
                .hasMessage("'shape' of input 'x' must be an array, not 2");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1.5]}]}"))
                .hasMessage("'shape' of input 'x' must hold integers, not 1.5");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"datatype\":32}]}"))
                .hasMessage("'datatype' of input 'x' must be a string, not 32");
    }

    @Test
    void refusesUnknownDatatypesNegativeDimsAndOverflowingShapes() {
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FLOAT32\",\"data\":[1]}]}"))
                .hasMessageStartingWith("input 'x' has unknown datatype 'FLOAT32'").hasMessageContaining("FP32");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"fp32\",\"data\":[1]}]}"))
                .hasMessageStartingWith("input 'x' has unknown datatype 'fp32'");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[2,-3],\"datatype\":\"FP32\",\"data\":[1]}]}"))
                .hasMessage("dimension -3 in the shape of input 'x' is negative");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[-99999999999999999999],\"datatype\":\"FP32\",\"data\":[]}]}"))
                .hasMessageContaining("is negative");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[99999999999999999999],\"datatype\":\"FP32\",\"data\":[]}]}"))
                .hasMessageContaining("is too large");
        // Each dimension is within the element limit, their product overflows a long.
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[64000000,64000000,64000000],\"datatype\":\"FP32\",\"data\":[]}]}"))
                .hasMessageContaining("the shape [64000000,64000000,64000000] of input 'x'").hasMessageContaining("overflows");
    }

    @Test
    void refusesDuplicateInputsAndOutputs() {
        String x = "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}";
        assertThat(badRequest("{\"inputs\":[" + x + "," + x + "]}")).hasMessage("input 'x' appears more than once");
        assertThat(badRequest("{\"inputs\":[],\"outputs\":[{\"name\":\"y\"},{\"name\":\"y\"}]}"))
                .hasMessage("output 'y' is requested more than once");
        assertThat(badRequest("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"shape\":[1]}]}"))
                .hasMessageContaining("malformed JSON").hasMessageContaining("shape");
    }

    /**
     * The decoder parses floats with Jackson's fast parser: it must give exactly the float the JDK's correctly
     * rounded Float.parseFloat gives, for shortest decimals (what clients print) and for long, rounding-sensitive
     * ones (double precision, halfway cases), which the JDK resolves with big-integer arithmetic.
     */
    @Test
    void fastFloatParsingEqualsTheJdksBitForBit() {
        java.util.Random random = new java.util.Random(8);
        int n = 20_000;
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) {
                f = random.nextFloat();
            }
            texts[i] = switch (i % 4) {
                case 0 -> Float.toString(f);
                case 1 -> Double.toString(random.nextGaussian());
                case 2 -> new java.math.BigDecimal(f).add(new java.math.BigDecimal(Math.ulp(f) / 2)).toPlainString();
                default -> String.format(java.util.Locale.ROOT, "%.12e", random.nextDouble() * 1e6);
            };
        }
        float[] decoded = (float[]) single("FP32", "[" + n + "]", "[" + String.join(",", texts) + "]").data();
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToIntBits(decoded[i])).as("element %d: %s", i, texts[i])
                    .isEqualTo(Float.floatToIntBits(Float.parseFloat(texts[i])));
        }
    }
}
