package dev.torpor.function.json;

import static dev.torpor.function.json.InferenceRequestDecoderTest.decode;
import static dev.torpor.function.json.InferenceRequestDecoderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.ErrorKind;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.TorporException;
import org.junit.jupiter.api.Test;

class DecodeLimitsTest {
    private final InferenceRequestDecoder defaults = new InferenceRequestDecoder();

    private static TorporException tooLarge(InferenceRequestDecoder decoder, String json) {
        TorporException error = failure(decoder, json);
        assertThat(error).isInstanceOf(PayloadTooLarge.class);
        assertThat(error.kind()).isEqualTo(ErrorKind.PAYLOAD_TOO_LARGE);
        return error;
    }

    private static String input(String name, String shape, String data) {
        return "{\"name\":\"" + name + "\",\"shape\":" + shape + ",\"datatype\":\"FP32\",\"data\":" + data + "}";
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(DecodeLimits.DEFAULTS).isEqualTo(new DecodeLimits(64_000_000L, 256, 16, 32, 1 << 20, 256, 16 << 20));
        assertThat(defaults.limits()).isEqualTo(DecodeLimits.DEFAULTS);
    }

    @Test
    void aHugeShapeIsRefusedBeforeAnythingIsAllocated() {
        // 10^15 FP32 elements: allocating would throw (an OutOfMemoryError or NegativeArraySizeException) instead.
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[100000,100000,100000]", "[1,2,3]") + "]}"))
                .hasMessageContaining("maxElementsPerRequest (64000000, TORPOR_MAX_REQUEST_ELEMENTS)")
                .hasMessageContaining("the shape [100000,100000,100000] of input 'x' needs 1000000000000000");
        // The same when the data came first and was buffered.
        assertThat(tooLarge(defaults, "{\"inputs\":[{\"data\":[1],\"name\":\"x\",\"datatype\":\"FP64\","
                + "\"shape\":[3000000000]}]}")).hasMessageContaining("maxElementsPerRequest");
        // Just above the limit, for one input of an otherwise empty request.
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[64000001]", "[]") + "]}"))
                .hasMessageContaining("maxElementsPerRequest");
    }

    @Test
    void theElementLimitCountsAcrossInputs() {
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(10, 256, 16, 32, 1 << 20));
        assertThat(decode(decoder, "{\"inputs\":[" + input("a", "[5]", "[1,2,3,4,5]") + ","
                + input("b", "[5]", "[1,2,3,4,5]") + "]}").inputs()).hasSize(2);
        assertThat(tooLarge(decoder, "{\"inputs\":[" + input("a", "[6]", "[1,2,3,4,5,6]") + ","
                + input("b", "[5]", "[1,2,3,4,5]") + "]}"))
                .hasMessageContaining("maxElementsPerRequest (10, TORPOR_MAX_REQUEST_ELEMENTS)").hasMessageContaining("input 'b' needs 5 beyond the 6");
    }

    @Test
    void tooManyInputs() {
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(100, 2, 16, 32, 1 << 20));
        String one = input("a", "[1]", "[1]");
        assertThat(decode(decoder, "{\"inputs\":[" + one + "," + input("b", "[1]", "[1]") + "]}").inputs()).hasSize(2);
        assertThat(tooLarge(decoder, "{\"inputs\":[" + one + "," + input("b", "[1]", "[1]") + ","
                + input("c", "[1]", "[1]") + "]}")).hasMessageContaining("maxInputs (2, TORPOR_MAX_REQUEST_INPUTS)");
    }

    @Test
    void tooHighARank() {
        assertThat(decode(defaults, "{\"inputs\":[" + input("x", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]") + "]}")
                .inputs().get(0).shape()).hasSize(16);
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]") + "]}"))
                .hasMessageContaining("input 'x'").hasMessageContaining("maxRank (16, TORPOR_MAX_SHAPE_RANK)");
    }

    @Test
    void tooDeepANesting() {
        String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        assertThat(tooLarge(defaults, "{\"parameters\":" + deep + ",\"inputs\":[]}"))
                .hasMessageContaining("maxNestingDepth (32, TORPOR_MAX_JSON_DEPTH)");
        String fine = "{\"a\":".repeat(20) + "1" + "}".repeat(20);
        assertThat(decode(defaults, "{\"parameters\":" + fine + ",\"inputs\":[]}").inputs()).isEmpty();
    }

    @Test
    void tooLongABytesElementCountsUtf8Bytes() {
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(100, 4, 4, 32, 5));
        String ok = "{\"inputs\":[{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"hello\",\"h\\u00e9ll\"]}]}";
        assertThat((String[]) decode(decoder, ok).inputs().get(0).data()).containsExactly("hello", "héll");
        // Five chars, but six UTF-8 bytes.
        assertThat(tooLarge(decoder, "{\"inputs\":[{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"h\\u00e9llo\"]}]}"))
                .hasMessage("input 's' data[0] is longer than maxBytesElementLength (5, TORPOR_MAX_BYTES_ELEMENT_LENGTH) bytes");
        assertThat(tooLarge(decoder, "{\"inputs\":[{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"hello!\"]}]}"))
                .hasMessageContaining("maxBytesElementLength");
    }

    @Test
    void aDimensionLargerThanTheElementLimitIsRefusedEvenBesideAZero() {
        // [2^40, 0] has no elements at all, but no engine should see a dimension like that.
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[1099511627776,0]", "[]") + "]}"))
                .hasMessageContaining("dimension 1099511627776").hasMessageContaining("TORPOR_MAX_REQUEST_ELEMENTS");
        assertThat(decode(defaults, "{\"inputs\":[" + input("x", "[64000000,0]", "[]") + "]}").inputs()).hasSize(1);
    }

    @Test
    void tooManyRequestedOutputs() {
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(100, 4, 4, 32, 5, 2, 100));
        String inputs = "\"inputs\":[" + input("a", "[1]", "[1]") + "]";
        assertThat(decode(decoder, "{" + inputs + ",\"outputs\":[{\"name\":\"p\"},{\"name\":\"q\"}]}").requestedOutputs())
                .containsExactly("p", "q");
        assertThat(tooLarge(decoder, "{" + inputs + ",\"outputs\":[{\"name\":\"p\"},{\"name\":\"q\"},"
                + "{\"name\":\"r\"}]}")).hasMessageContaining("maxOutputs (2, TORPOR_MAX_REQUEST_OUTPUTS)");
    }

    @Test
    void theBytesDataOfARequestIsBoundedTogetherCountingFourBytesPerElement() {
        // 10 bytes: "abc" (3 + 4) fits, a second "" (0 + 4) does not.
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(100, 4, 4, 32, 5, 4, 10));
        String one = "{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"abc\"]}";
        assertThat(decode(decoder, "{\"inputs\":[" + one + "]}").inputs()).hasSize(1);
        assertThat(tooLarge(decoder, "{\"inputs\":[" + one + ",{\"name\":\"t\",\"shape\":[1],\"datatype\":\"BYTES\","
                + "\"data\":[\"\"]}]}")).hasMessageContaining("input 't' data[0]")
                .hasMessageContaining("maxBytesPerRequest (10, TORPOR_MAX_REQUEST_BYTES_DATA_MB)");
        // Binary BYTES data spends the same budget: two elements of 4 + 4 bytes.
        byte[] json = "{\"inputs\":[{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":16}}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(json, json.length + 16);
        java.nio.ByteBuffer.wrap(body, json.length, 16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(4).put("abcd".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .putInt(4).put("efgh".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> decoder.decode(body, Integer.toString(json.length)))
                .isInstanceOf(PayloadTooLarge.class).hasMessageContaining("maxBytesPerRequest");
        assertThat(new InferenceRequestDecoder().decode(body, Integer.toString(json.length)).request().inputs())
                .hasSize(1);
    }

    @Test
    void aShortBodyDeclaringAHugeShapeCostsNoArray() {
        // Within the element limit, but 512 MB of FP64 that a body of 70 bytes could never fill.
        TorporException error = failure(defaults, "{\"inputs\":[" + input("x", "[64000000]", "[]").replace("FP32", "FP64")
                + "]}");
        assertThat(error).isInstanceOf(dev.torpor.error.BadRequest.class)
                .hasMessageContaining("needs 64000000 elements, more than the JSON body can hold");
        // Counted across inputs: 3 + 3 elements need at least 11 bytes, and this body has them.
        assertThat(decode(defaults, "{\"inputs\":[" + input("a", "[3]", "[1,2,3]") + "," + input("b", "[3]", "[4,5,6]")
                + "]}").inputs()).hasSize(2);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new DecodeLimits(0, 1, 1, 32, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxElementsPerRequest");
        assertThatThrownBy(() -> new DecodeLimits(Integer.MAX_VALUE, 1, 1, 32, 1))
                .hasMessageContaining("maxElementsPerRequest");
        assertThatThrownBy(() -> new DecodeLimits(1, 0, 1, 32, 1)).hasMessageContaining("maxInputs");
        assertThatThrownBy(() -> new DecodeLimits(1, 1, -1, 32, 1)).hasMessageContaining("maxRank");
        assertThatThrownBy(() -> new DecodeLimits(1, 1, 1, 3, 1)).hasMessageContaining("maxNestingDepth");
        assertThatThrownBy(() -> new DecodeLimits(1, 1, 1, 32, -1)).hasMessageContaining("maxBytesElementLength");
    }
}
