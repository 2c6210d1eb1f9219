package dev.torpor.function.json;

import static dev.torpor.function.json.InferenceRequestDecoderTest.decode;
import static dev.torpor.function.json.InferenceRequestDecoderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.TorporException;
import org.junit.jupiter.api.Test;

class DecodeLimitsTest {
    private final InferenceRequestDecoder defaults = new InferenceRequestDecoder();

    private static TorporException tooLarge(InferenceRequestDecoder decoder, String json) {
        TorporException error = failure(decoder, json);
        assertThat(error).isInstanceOf(PayloadTooLarge.class);
        assertThat(error.httpStatus()).isEqualTo(413);
        return error;
    }

    private static String input(String name, String shape, String data) {
        return "{\"name\":\"" + name + "\",\"shape\":" + shape + ",\"datatype\":\"FP32\",\"data\":" + data + "}";
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(DecodeLimits.DEFAULTS).isEqualTo(new DecodeLimits(64_000_000L, 256, 16, 32, 1 << 20));
        assertThat(defaults.limits()).isEqualTo(DecodeLimits.DEFAULTS);
    }

    @Test
    void aHugeShapeIsRefusedBeforeAnythingIsAllocated() {
        // 10^15 FP32 elements: allocating would throw (an OutOfMemoryError or NegativeArraySizeException) instead.
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[100000,100000,100000]", "[1,2,3]") + "]}"))
                .hasMessageContaining("maxElementsPerRequest (64000000)")
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
                .hasMessageContaining("maxElementsPerRequest (10)").hasMessageContaining("input 'b' needs 5 beyond the 6");
    }

    @Test
    void tooManyInputs() {
        InferenceRequestDecoder decoder = new InferenceRequestDecoder(new DecodeLimits(100, 2, 16, 32, 1 << 20));
        String one = input("a", "[1]", "[1]");
        assertThat(decode(decoder, "{\"inputs\":[" + one + "," + input("b", "[1]", "[1]") + "]}").inputs()).hasSize(2);
        assertThat(tooLarge(decoder, "{\"inputs\":[" + one + "," + input("b", "[1]", "[1]") + ","
                + input("c", "[1]", "[1]") + "]}")).hasMessageContaining("maxInputs (2)");
    }

    @Test
    void tooHighARank() {
        assertThat(decode(defaults, "{\"inputs\":[" + input("x", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]") + "]}")
                .inputs().get(0).shape()).hasSize(16);
        assertThat(tooLarge(defaults, "{\"inputs\":[" + input("x", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]") + "]}"))
                .hasMessageContaining("input 'x'").hasMessageContaining("maxRank (16)");
    }

    @Test
    void tooDeepANesting() {
        String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        assertThat(tooLarge(defaults, "{\"parameters\":" + deep + ",\"inputs\":[]}"))
                .hasMessageContaining("maxNestingDepth (32)");
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
                .hasMessage("input 's' data[0] is longer than maxBytesElementLength (5 bytes)");
        assertThat(tooLarge(decoder, "{\"inputs\":[{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"hello!\"]}]}"))
                .hasMessageContaining("maxBytesElementLength");
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
