package dev.torpor.function.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads one object of a request's {@code inputs} array into a {@link Tensor}, and keeps the request-wide
 * element count. One instance serves one request.
 *
 * <p>{@code data} is read straight into the tensor's array when {@code shape} and {@code datatype} came
 * before it (the usual order). When it comes first, its JSON is copied aside and read once the object
 * ends: the copy is plain JSON text, as compact as the body itself and free of boxed numbers, and the
 * body's own size limit bounds it.
 */
final class InputReader {
    private static final String DATATYPES = Arrays.toString(DataType.values());

    private final JsonFactory factory;
    private final DecodeLimits limits;
    private final BytesBudget bytesBudget;
    private final long maxJsonElements;
    private long elements;
    private long jsonElements;

    /**
     * @param jsonLength the length of the JSON text, or -1 when unknown (a stream): it bounds how many elements
     *                   JSON {@code data} can hold, so that a short body declaring a huge shape costs no array
     */
    InputReader(JsonFactory factory, DecodeLimits limits, long jsonLength) {
        this.factory = factory;
        this.limits = limits;
        this.bytesBudget = new BytesBudget(limits.maxBytesPerRequest());
        // n elements take at least 2n - 1 bytes: one character each and a comma between them.
        this.maxJsonElements = jsonLength < 0 ? Long.MAX_VALUE : (jsonLength + 1) / 2;
    }

    /** The request's budget for BYTES elements, which binary BYTES data spends too. */
    BytesBudget bytesBudget() {
        return bytesBudget;
    }

    /**
     * An input as read from the JSON: either its tensor (JSON {@code data}), or, with the binary tensor data
     * extension, everything but its elements and the size of its binary data ({@code binarySize} ≥ 0).
     */
    record Read(Tensor tensor, String name, DataType datatype, long[] shape, int count, long binarySize) {
        String label() {
            return "input '" + name + "'";
        }
    }

    /** Reads the input object at the parser's current token, {@code inputs[index]}. */
    Read read(JsonParser parser, int index) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new BadRequest("inputs[" + index + "] must be an object, not " + Tokens.describe(parser));
        }
        String name = null;
        long[] shape = null;
        DataType datatype = null;
        Object data = null;
        byte[] deferred = null;
        long[] binarySize = {-1};
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            String label = label(name, index);
            switch (field) {
                case "name" -> {
                    if (parser.currentToken() != JsonToken.VALUE_STRING) {
                        throw new BadRequest("'name' of " + label + " must be a string, not " + Tokens.describe(parser));
                    }
                    name = parser.getText();
                }
                case "shape" -> shape = readShape(parser, label);
                case "datatype" -> datatype = readDatatype(parser, label);
                case "parameters" -> Tokens.readParameters(parser, "'parameters' of " + label, (key, value) -> {
                    if (!key.equals("binary_data_size")) {
                        return false;
                    }
                    binarySize[0] = readBinarySize(value, label);
                    return true;
                });
                case "data" -> {
                    if (shape != null && datatype != null) {
                        data = readData(parser, label, datatype, shape);
                    } else {
                        deferred = copyValue(parser);
                    }
                }
                default -> throw new BadRequest("unknown field '" + field + "' in " + label);
            }
        }
        String label = label(name, index);
        if (name == null) {
            throw new BadRequest(label + " has no 'name'");
        }
        if (shape == null) {
            throw new BadRequest(label + " has no 'shape'");
        }
        if (datatype == null) {
            throw new BadRequest(label + " has no 'datatype'");
        }
        if (binarySize[0] >= 0) {
            if (data != null || deferred != null) {
                throw new BadRequest(label + " has both 'data' and the parameter binary_data_size; send one");
            }
            int count = countElements(label, shape);
            int elementSize = BinaryTensorData.elementSize(datatype);
            if (elementSize > 0 && (long) elementSize * count != binarySize[0]) {
                throw new BadRequest("binary_data_size of " + label + " is " + binarySize[0] + " bytes, but its shape "
                        + Tokens.shape(shape) + " holds " + count + " " + datatype + " elements of " + elementSize
                        + " byte" + (elementSize == 1 ? "" : "s") + " (" + (long) elementSize * count + " bytes)");
            }
            return new Read(null, name, datatype, shape, count, binarySize[0]);
        }
        if (data == null && deferred == null) {
            throw new BadRequest(label + " has no 'data'");
        }
        if (data == null) {
            try (JsonParser replay = factory.createParser(deferred)) {
                replay.nextToken();
                data = readData(replay, label, datatype, shape);
            }
        }
        Tensor tensor = new Tensor(name, datatype, shape, data);
        return new Read(tensor, name, datatype, shape, tensor.size(), -1);
    }

    private static long readBinarySize(JsonParser parser, String label) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new BadRequest("binary_data_size of " + label + " must be an integer, not " + Tokens.describe(parser));
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new BadRequest("binary_data_size " + Tokens.shorten(parser.getText()) + " of " + label
                    + (parser.getText().startsWith("-") ? " is negative" : " is too large"));
        }
        long size = parser.getLongValue();
        if (size < 0) {
            throw new BadRequest("binary_data_size " + size + " of " + label + " is negative");
        }
        return size;
    }

    private static String label(String name, int index) {
        return name == null ? "inputs[" + index + "]" : "input '" + name + "'";
    }

    private long[] readShape(JsonParser parser, String label) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new BadRequest("'shape' of " + label + " must be an array, not " + Tokens.describe(parser));
        }
        long[] dims = new long[4];
        int rank = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (rank == limits.maxRank()) {
                throw new PayloadTooLarge("the shape of " + label + " has more than "
                        + DecodeLimits.describe("maxRank", limits.maxRank()) + " dimensions");
            }
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new BadRequest("'shape' of " + label + " must hold integers, not " + Tokens.describe(parser));
            }
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new BadRequest("dimension " + Tokens.shorten(parser.getText()) + " in the shape of " + label
                        + (parser.getText().startsWith("-") ? " is negative" : " is too large"));
            }
            long dim = parser.getLongValue();
            if (dim < 0) {
                throw new BadRequest("dimension " + dim + " in the shape of " + label + " is negative");
            }
            // Even beside a 0 (no elements at all), such a dimension is no real request, and engines size buffers by it.
            if (dim > limits.maxElementsPerRequest()) {
                throw new PayloadTooLarge("dimension " + dim + " in the shape of " + label + " is larger than "
                        + DecodeLimits.describe("maxElementsPerRequest", limits.maxElementsPerRequest()));
            }
            if (rank == dims.length) {
                dims = Arrays.copyOf(dims, rank * 2);
            }
            dims[rank++] = dim;
        }
        return Arrays.copyOf(dims, rank);
    }

    private static DataType readDatatype(JsonParser parser, String label) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new BadRequest("'datatype' of " + label + " must be a string, not " + Tokens.describe(parser));
        }
        String text = parser.getText();
        DataType type = DataType.fromProtocolName(text);
        if (type == null) {
            throw new BadRequest(label + " has unknown datatype '" + Tokens.shorten(text) + "'; the datatypes are "
                    + DATATYPES);
        }
        return type;
    }

    /** Checks the element count against the shape's overflow and the limits, then reads into a fresh array. */
    private Object readData(JsonParser parser, String label, DataType type, long[] shape) throws IOException {
        int count = countElements(label, shape);
        if (count > maxJsonElements - jsonElements) {
            throw new BadRequest("the shape " + Tokens.shape(shape) + " of " + label + " needs " + count
                    + " elements, more than the JSON body can hold (" + maxJsonElements + " at most"
                    + (jsonElements > 0 ? ", " + jsonElements + " of them taken by the inputs before it" : "") + ")");
        }
        jsonElements += count;
        return new TensorDataReader(label, type, shape, count, limits.maxBytesElementLength(), bytesBudget)
                .read(parser);
    }

    /** The shape's element count, checked against overflow and the request-wide limit, and counted. */
    private int countElements(String label, long[] shape) {
        long count = Tensor.elementCount(shape);
        if (count < 0) {
            throw new BadRequest("the shape " + Tokens.shape(shape) + " of " + label
                    + " has more elements than can be counted (the product of its dimensions overflows)");
        }
        if (count > limits.maxElementsPerRequest() - elements) {
            throw new PayloadTooLarge("the request has more than "
                    + DecodeLimits.describe("maxElementsPerRequest", limits.maxElementsPerRequest())
                    + " elements: the shape " + Tokens.shape(shape) + " of " + label
                    + " needs " + count + (elements > 0 ? " beyond the " + elements + " before it" : ""));
        }
        elements += count;
        return (int) count;
    }

    /**
     * Copies the value at the parser's current token as JSON text. Numbers are copied as their text, so
     * nothing is lost or converted before the datatype is known.
     */
    private byte[] copyValue(JsonParser parser) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (JsonGenerator generator = factory.createGenerator(copy)) {
            int depth = 0;
            do {
                JsonToken token = parser.currentToken();
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    generator.writeNumber(parser.getText());
                } else {
                    generator.copyCurrentEvent(parser);
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
            } while (depth > 0 && parser.nextToken() != null);
        }
        return copy.toByteArray();
    }
}
