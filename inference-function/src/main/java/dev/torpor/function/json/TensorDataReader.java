package dev.torpor.function.json;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.store.DataType;
import java.io.IOException;

/**
 * Reads one input's {@code data} (flat, or nested and flattened row-major) into a primitive array of the
 * tensor's datatype (see {@link dev.torpor.function.Tensor}), checking each element's JSON type and range.
 * The array is allocated here with the size the caller has already checked against the limits; elements
 * past that size are only counted, so that the count in the error message is the real one. Nesting is
 * flattened whatever its layout; only its depth is bounded (by the shape's rank), since the element count
 * against the shape is what makes the tensor well-formed.
 */
final class TensorDataReader {
    private final String label;
    private final DataType type;
    private final long[] shape;
    private final int count;
    private final int maxBytesLength;
    private final BytesBudget bytesBudget;
    private final Object array;

    TensorDataReader(String label, DataType type, long[] shape, int count, int maxBytesLength,
                     BytesBudget bytesBudget) {
        this.label = label;
        this.type = type;
        this.shape = shape;
        this.count = count;
        this.maxBytesLength = maxBytesLength;
        this.bytesBudget = bytesBudget;
        this.array = switch (type) {
            case BOOL -> new boolean[count];
            case INT8, UINT8 -> new byte[count];
            case INT16, UINT16, FP16 -> new short[count];
            case INT32, UINT32 -> new int[count];
            case INT64, UINT64 -> new long[count];
            case FP32 -> new float[count];
            case FP64 -> new double[count];
            case BYTES -> new String[count];
        };
    }

    /** Reads the value at the parser's current token; returns the filled array. */
    Object read(JsonParser parser) throws IOException {
        // A scalar shape may carry its element bare; nesting deeper than the shape's rank is a mistake.
        int maxDepth = Math.max(shape.length, 1);
        long seen = 0;
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            seen = element(parser, seen);
        } else {
            int depth = 1;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.START_ARRAY) {
                    if (++depth > maxDepth) {
                        throw new BadRequest("'data' of " + label + " is nested deeper than its shape "
                                + Tokens.shape(shape) + " allows");
                    }
                } else if (token == JsonToken.END_ARRAY) {
                    depth--;
                } else {
                    seen = element(parser, seen);
                }
            }
        }
        if (seen != count) {
            throw new BadRequest(label + " has " + seen + " elements, its shape " + Tokens.shape(shape)
                    + " needs " + count);
        }
        return array;
    }

    private long element(JsonParser parser, long index) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            throw wrongType(parser, index);
        }
        if (index < count) {
            store(parser, token, (int) index);
        }
        return index + 1;
    }

    private void store(JsonParser parser, JsonToken token, int i) throws IOException {
        switch (type) {
            case BOOL -> {
                if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                    throw wrongType(parser, i);
                }
                ((boolean[]) array)[i] = token == JsonToken.VALUE_TRUE;
            }
            case INT8 -> ((byte[]) array)[i] = (byte) integer(parser, token, i, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT8 -> ((byte[]) array)[i] = (byte) integer(parser, token, i, 0, 0xFF);
            case INT16 -> ((short[]) array)[i] = (short) integer(parser, token, i, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT16 -> ((short[]) array)[i] = (short) integer(parser, token, i, 0, 0xFFFF);
            case INT32 -> ((int[]) array)[i] = (int) integer(parser, token, i, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT32 -> ((int[]) array)[i] = (int) integer(parser, token, i, 0, 0xFFFF_FFFFL);
            case INT64 -> ((long[]) array)[i] = integer(parser, token, i, Long.MIN_VALUE, Long.MAX_VALUE);
            case UINT64 -> ((long[]) array)[i] = unsigned64(parser, token, i);
            case FP16 -> ((short[]) array)[i] = half(parser, token, i);
            case FP32 -> ((float[]) array)[i] = single(parser, token, i);
            case FP64 -> ((double[]) array)[i] = real(parser, token, i);
            case BYTES -> ((String[]) array)[i] = string(parser, token, i);
        }
    }

    private long integer(JsonParser parser, JsonToken token, int i, long min, long max) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(parser, i);
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw outOfRange(parser, i);
        }
        long value = parser.getLongValue();
        if (value < min || value > max) {
            throw outOfRange(parser, i);
        }
        return value;
    }

    /** UINT64 up to 2^64-1, kept as the same 64 bits in a signed long. */
    private long unsigned64(JsonParser parser, JsonToken token, int i) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(parser, i);
        }
        if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long value = parser.getLongValue();
            if (value < 0) {
                throw outOfRange(parser, i);
            }
            return value;
        }
        try {
            // Only values above 2^63-1 come here; parseUnsignedLong refuses negatives and anything above 2^64-1.
            return Long.parseUnsignedLong(parser.getText());
        } catch (NumberFormatException e) {
            throw outOfRange(parser, i);
        }
    }

    private short half(JsonParser parser, JsonToken token, int i) throws IOException {
        float value = single(parser, token, i);
        short bits = Fp16Conversions.floatToFp16(value);
        // A finite value that rounds to infinity in half precision (above 65504 by more than half a step).
        if (Float.isFinite(value) && !Float.isFinite(Fp16Conversions.fp16ToFloat(bits))) {
            throw outOfRange(parser, i);
        }
        return bits;
    }

    private float single(JsonParser parser, JsonToken token, int i) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return (float) nonFinite(parser, i);
        }
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(parser, i);
        }
        float value = parser.getFloatValue();
        if (!Float.isFinite(value)) {
            throw outOfRange(parser, i);
        }
        return value;
    }

    private double real(JsonParser parser, JsonToken token, int i) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return nonFinite(parser, i);
        }
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(parser, i);
        }
        double value = parser.getDoubleValue();
        if (!Double.isFinite(value)) {
            throw outOfRange(parser, i);
        }
        return value;
    }

    /** JSON has no NaN or infinities; the protocol's clients send them as these three strings. */
    private double nonFinite(JsonParser parser, int i) throws IOException {
        return switch (parser.getText()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw wrongType(parser, i);
        };
    }

    private String string(JsonParser parser, JsonToken token, int i) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw wrongType(parser, i);
        }
        int chars = parser.getTextLength();
        // UTF-8 needs at least one byte per char, so a string too long in chars is refused before measuring.
        long bytes = chars > maxBytesLength ? chars : utf8Length(parser);
        if (bytes > maxBytesLength) {
            throw new PayloadTooLarge(label + " data[" + i + "] is longer than "
                    + DecodeLimits.describe("maxBytesElementLength", maxBytesLength) + " bytes");
        }
        bytesBudget.spend(bytes + 4, label + " data[" + i + "]");
        return parser.getText();
    }

    private static long utf8Length(JsonParser parser) throws IOException {
        char[] chars = parser.getTextCharacters();
        int offset = parser.getTextOffset();
        int end = offset + parser.getTextLength();
        long bytes = 0;
        for (int k = offset; k < end; k++) {
            char c = chars[k];
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && k + 1 < end && Character.isLowSurrogate(chars[k + 1])) {
                bytes += 4;
                k++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private BadRequest wrongType(JsonParser parser, long i) throws IOException {
        String takes = switch (type) {
            case BOOL -> "true or false";
            case FP16, FP32, FP64 -> "numbers or the strings \"NaN\", \"Infinity\" and \"-Infinity\"";
            case BYTES -> "strings";
            default -> "integers";
        };
        String got = parser.currentToken() == JsonToken.VALUE_STRING
                ? "the string \"" + Tokens.shorten(parser.getText()) + "\"" : Tokens.describe(parser);
        return new BadRequest(label + " data[" + i + "]: " + type + " takes " + takes + ", not " + got);
    }

    private BadRequest outOfRange(JsonParser parser, int i) throws IOException {
        String range = switch (type) {
            case INT8 -> " (-128..127)";
            case UINT8 -> " (0..255)";
            case INT16 -> " (-32768..32767)";
            case UINT16 -> " (0..65535)";
            case INT32 -> " (-2147483648..2147483647)";
            case UINT32 -> " (0..4294967295)";
            case INT64 -> " (-9223372036854775808..9223372036854775807)";
            case UINT64 -> " (0..18446744073709551615)";
            case FP16 -> " (largest finite value 65504)";
            default -> "";
        };
        return new BadRequest(label + " data[" + i + "]: " + Tokens.shorten(parser.getText()) + " is out of range for "
                + type + range);
    }
}
