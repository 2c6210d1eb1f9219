package dev.torpor.function.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The binary tensor data extension: requests and responses, every datatype, and every way a body can lie. */
class BinaryTensorDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();

    /** Six elements of {@code type}, including the extremes and, for floats, non-finite values. */
    static Tensor sample(String name, DataType type) {
        long[] shape = {2, 3};
        Object data = switch (type) {
            case BOOL -> new boolean[] {true, false, true, true, false, false};
            case INT8 -> new byte[] {Byte.MIN_VALUE, -1, 0, 1, 42, Byte.MAX_VALUE};
            case UINT8 -> new byte[] {0, 1, 42, 127, (byte) 128, (byte) 255};
            case INT16 -> new short[] {Short.MIN_VALUE, -1, 0, 1, 300, Short.MAX_VALUE};
            case UINT16 -> new short[] {0, 1, 300, Short.MAX_VALUE, (short) 0x8000, (short) 0xFFFF};
            case FP16 -> new short[] {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00, (short) 0xFC00};
            case INT32 -> new int[] {Integer.MIN_VALUE, -1, 0, 1, 70000, Integer.MAX_VALUE};
            case UINT32 -> new int[] {0, 1, 70000, Integer.MAX_VALUE, Integer.MIN_VALUE, -1};
            case INT64 -> new long[] {Long.MIN_VALUE, -1, 0, 1, 1L << 40, Long.MAX_VALUE};
            case UINT64 -> new long[] {0, 1, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1};
            case FP32 -> new float[] {-1.5f, 0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
            case FP64 -> new double[] {-1.5, 0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY};
            case BYTES -> new String[] {"", "a", "héllo", "日本", "\uD83D\uDE00", "x".repeat(300)};
        };
        return new Tensor(name, type, shape, data);
    }

    /** A request body: JSON header then the inputs' bytes, and the header length to send. */
    record Body(byte[] bytes, String headerLength) {
    }

    static Body binaryRequest(List<Tensor> tensors, String outputs) {
        StringBuilder json = new StringBuilder("{\"id\":\"b\",\"inputs\":[");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            byte[] bytes = BinaryTensorData.toBytes(t);
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(t.name()).append("\",\"shape\":")
                    .append(Arrays.toString(t.shape()).replace(" ", "")).append(",\"datatype\":\"").append(t.datatype())
                    .append("\",\"parameters\":{\"binary_data_size\":").append(bytes.length).append("}}");
            raw.writeBytes(bytes);
        }
        json.append("]").append(outputs).append("}");
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + raw.size());
        body.put(header).put(raw.toByteArray());
        return new Body(body.array(), Integer.toString(header.length));
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyDatatypeDecodesFromBinaryToTheSameTensorAsFromJson(DataType type) {
        Tensor original = sample("x", type);
        Body body = binaryRequest(List.of(original), "");
        InferenceRequest binary = decoder.decode(body.bytes(), body.headerLength()).request();
        assertThat(binary.inputs()).containsExactly(original);
        // The same tensor written as JSON by the encoder and read back by the JSON path.
        String json = new String(encoder.encode(new InferenceResponse("m", "1", null, List.of(original))),
                StandardCharsets.UTF_8);
        String outputs = json.substring(json.indexOf("\"outputs\":") + "\"outputs\":".length(), json.length() - 1);
        InferenceRequest fromJson = decoder.decode(("{\"inputs\":" + outputs + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(fromJson.inputs()).containsExactly(binary.inputs().get(0));
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyDatatypeEncodesAsBinaryAndReadsBackEqual(DataType type) throws Exception {
        Tensor output = sample("y", type);
        Tensor json = sample("j", DataType.INT32);
        var encoded = encoder.encode(new InferenceResponse("m", "1", "r", List.of(json, output)), "y"::equals);
        assertThat(encoded.binary()).isTrue();
        JsonNode header = JSON.readTree(Arrays.copyOf(encoded.body(), encoded.headerLength()));
        assertThat(header.get("outputs").get(0).get("data")).hasSize(6);
        JsonNode y = header.get("outputs").get(1);
        assertThat(y.has("data")).isFalse();
        assertThat(y.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(y.get("datatype").asText()).isEqualTo(type.name());
        long size = y.get("parameters").get("binary_data_size").asLong();
        assertThat(size).isEqualTo(encoded.body().length - encoded.headerLength());
        Object data = BinaryTensorData.read(encoded.body(), encoded.headerLength(), (int) size, type, 6, "y", 1 << 20);
        assertThat(new Tensor("y", type, new long[] {2, 3}, data)).isEqualTo(output);
    }

    @Test
    void layoutIsLittleEndianRowMajorWithLengthPrefixedBytes() {
        byte[] ints = BinaryTensorData.toBytes(new Tensor("x", DataType.INT32, new long[] {2}, new int[] {1, 0x01020304}));
        assertThat(ints).containsExactly(1, 0, 0, 0, 4, 3, 2, 1);
        byte[] bytes = BinaryTensorData.toBytes(new Tensor("x", DataType.BYTES, new long[] {2}, new String[] {"ab", ""}));
        assertThat(bytes).containsExactly(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0);
        byte[] bools = BinaryTensorData.toBytes(new Tensor("x", DataType.BOOL, new long[] {2}, new boolean[] {true, false}));
        assertThat(bools).containsExactly(1, 0);
    }

    @Test
    void mixesJsonAndBinaryInputsAndReadsOutputChoices() {
        Tensor a = sample("a", DataType.FP32);
        Tensor b = sample("b", DataType.BYTES);
        Body binary = binaryRequest(List.of(a, b), ",\"parameters\":{\"binary_data_output\":true,\"other\":[1]},"
                + "\"outputs\":[{\"name\":\"p\",\"parameters\":{\"binary_data\":false}},{\"name\":\"q\"}]");
        // Insert a JSON input between the two binary ones: its data is in the header.
        String header = new String(binary.bytes(), 0, Integer.parseInt(binary.headerLength()), StandardCharsets.UTF_8);
        String withJson = header.replace("\"inputs\":[", "\"inputs\":[{\"name\":\"j\",\"shape\":[1],\"datatype\":\"INT64\","
                + "\"data\":[7]},");
        byte[] head = withJson.getBytes(StandardCharsets.UTF_8);
        byte[] raw = Arrays.copyOfRange(binary.bytes(), header.length(), binary.bytes().length);
        byte[] body = ByteBuffer.allocate(head.length + raw.length).put(head).put(raw).array();
        DecodedRequest decoded = decoder.decode(body, Integer.toString(head.length));
        assertThat(decoded.request().inputs()).containsExactly(
                new Tensor("j", DataType.INT64, new long[] {1}, new long[] {7}), a, b);
        assertThat(decoded.request().requestedOutputs()).containsExactly("p", "q");
        assertThat(decoded.binaryOutput("p")).isFalse();
        assertThat(decoded.binaryOutput("q")).isTrue();
        assertThat(decoded.anyBinaryOutput()).isTrue();
    }

    @Test
    void withoutTheHeaderTheBodyIsAllJsonAndNothingIsBinary() {
        DecodedRequest decoded = decoder.decode("{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(decoded.request().inputs()).isEmpty();
        assertThat(decoded.anyBinaryOutput()).isFalse();
        var encoded = encoder.encode(new InferenceResponse("m", "1", null, List.of(sample("y", DataType.FP32))),
                name -> false);
        assertThat(encoded.binary()).isFalse();
        assertThat(encoded.headerLength()).isEqualTo(-1);
    }

    private TorporException failure(byte[] body, String headerLength) {
        TorporException error = catchThrowableOfType(TorporException.class, () -> decoder.decode(body, headerLength));
        assertThat(error).as("decoding with header length %s", headerLength).isNotNull();
        assertThat(error).isInstanceOfAny(BadRequest.class, PayloadTooLarge.class);
        return error;
    }

    private String badRequest(byte[] body, String headerLength) {
        TorporException error = failure(body, headerLength);
        assertThat(error).isInstanceOf(BadRequest.class);
        return error.getMessage();
    }

    private static byte[] body(String json, int rawBytes) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(head, head.length + rawBytes);
    }

    private static String len(String json) {
        return Integer.toString(json.getBytes(StandardCharsets.UTF_8).length);
    }

    private static final String FP32_X = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":8}}]}";

    @Test
    void malformedHeaderLengthsAre400() {
        byte[] body = body(FP32_X, 8);
        assertThat(badRequest(body, "abc")).contains("Inference-Header-Content-Length").contains("'abc'");
        assertThat(badRequest(body, "-1")).contains("is negative");
        assertThat(badRequest(body, "99999999999999999999")).contains("whole number");
        assertThat(badRequest(body, Integer.toString(body.length + 1))).contains("beyond the end of the "
                + body.length + "-byte body");
        assertThat(badRequest(body, "0")).contains("no JSON request");
        // A header length that cuts the JSON short is malformed JSON.
        assertThat(badRequest(body, "10")).contains("malformed JSON");
    }

    @Test
    void sizesThatDoNotAddUpAre400() {
        assertThat(badRequest(body(FP32_X, 4), len(FP32_X))).contains("declare 8 bytes").contains("only 4 bytes follow");
        assertThat(badRequest(body(FP32_X, 12), len(FP32_X))).contains("12 bytes follow").contains("add up to 8");
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}";
        assertThat(badRequest(body(json, 3), len(json))).contains("3 bytes follow").contains("no input gives");
        assertThat(badRequest(body(FP32_X, 0), null)).contains("has no Inference-Header-Content-Length header");
    }

    @Test
    void sizeNotMatchingShapeTimesDatatypeIs400BeforeAllocating() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"INT64\","
                + "\"parameters\":{\"binary_data_size\":16}}]}";
        assertThat(badRequest(body(json, 16), len(json))).isEqualTo("binary_data_size of input 'x' is 16 bytes, but "
                + "its shape [3] holds 3 INT64 elements of 8 bytes (24 bytes)");
        // A shape too large for the limits is refused by the limits, not by an allocation.
        String huge = "{\"inputs\":[{\"name\":\"x\",\"shape\":[100000000000],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":400000000000}}]}";
        assertThat(failure(body(huge, 0), len(huge))).isInstanceOf(PayloadTooLarge.class)
                .hasMessageContaining("maxElementsPerRequest");
    }

    @Test
    void negativeOverflowingOrNonIntegerSizesAre400() {
        String negative = FP32_X.replace("8}", "-8}");
        assertThat(badRequest(body(negative, 8), len(negative))).contains("binary_data_size -8 of input 'x' is negative");
        String big = FP32_X.replace("8}", "99999999999999999999}");
        assertThat(badRequest(body(big, 8), len(big))).contains("is too large");
        String text = FP32_X.replace("8}", "\"8\"}");
        assertThat(badRequest(body(text, 8), len(text))).contains("must be an integer");
        // Two sizes whose sum overflows a long.
        String two = "{\"inputs\":[{\"name\":\"a\",\"shape\":[0],\"datatype\":\"BYTES\",\"parameters\":"
                + "{\"binary_data_size\":4}},{\"name\":\"b\",\"shape\":[1],\"datatype\":\"BYTES\",\"parameters\":"
                + "{\"binary_data_size\":9223372036854775807}}]}";
        assertThat(badRequest(body(two, 4), len(two))).contains("more than 2^63-1");
        String both = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1],"
                + "\"parameters\":{\"binary_data_size\":4}}]}";
        assertThat(badRequest(body(both, 4), len(both))).contains("both 'data' and the parameter binary_data_size");
        String flag = "{\"inputs\":[],\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":1}}]}";
        assertThat(badRequest(body(flag, 0), null)).contains("binary_data of outputs[0] must be true or false");
        String requestFlag = "{\"inputs\":[],\"parameters\":{\"binary_data_output\":\"yes\"}}";
        assertThat(badRequest(body(requestFlag, 0), null)).contains("binary_data_output of the request");
    }

    @Test
    void malformedBinaryBytesAndBoolsAre400() {
        String bytes = "{\"inputs\":[{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":%d}}]}";
        // Too few bytes for two lengths.
        String few = bytes.formatted(6);
        assertThat(badRequest(body(few, 6), len(few))).contains("too few for 2 elements");
        // An element that claims more than remains.
        String claims = bytes.formatted(9);
        byte[] body = body(claims, 9);
        ByteBuffer.wrap(body, body.length - 9, 9).order(ByteOrder.LITTLE_ENDIAN).putInt(100);
        assertThat(badRequest(body, len(claims))).contains("element 0 of BYTES input 's' claims 100 bytes");
        // A length of 2^32-1 (unsigned) is over the element limit: 413.
        byte[] huge = body(claims, 9);
        ByteBuffer.wrap(huge, huge.length - 9, 9).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        assertThat(failure(huge, len(claims))).isInstanceOf(PayloadTooLarge.class)
                .hasMessageContaining("4294967295 bytes, over maxBytesElementLength");
        // Bytes left over after the elements.
        String leftover = bytes.formatted(10);
        assertThat(badRequest(body(leftover, 10), len(leftover))).contains("leaves 2 bytes after its 2 elements");
        // Invalid UTF-8.
        String utf = bytes.formatted(10);
        byte[] bad = body(utf, 10);
        ByteBuffer.wrap(bad, bad.length - 10, 10).order(ByteOrder.LITTLE_ENDIAN).putInt(1).put((byte) 0xFF).putInt(1)
                .put((byte) 'a');
        assertThat(badRequest(bad, len(utf))).contains("element 0 of BYTES input 's' is not valid UTF-8");
        String bool = "{\"inputs\":[{\"name\":\"b\",\"shape\":[1],\"datatype\":\"BOOL\","
                + "\"parameters\":{\"binary_data_size\":1}}]}";
        byte[] two = body(bool, 1);
        two[two.length - 1] = 2;
        assertThat(badRequest(two, len(bool))).contains("binary BOOL elements are 0 or 1");
    }
}
