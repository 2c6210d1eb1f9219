package dev.torpor.function.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes an Open Inference Protocol (KServe V2) JSON infer request into an {@link InferenceRequest}.
 *
 * <p>It reads with Jackson's streaming parser only: numeric {@code data} goes straight into the tensor's
 * primitive array, which is allocated from the declared shape once the element count has been checked
 * against the {@link DecodeLimits}. No tree, no boxed numbers, and no tensor larger than the limits allow,
 * whatever the body claims. {@code data} that comes before its input's {@code shape} and {@code datatype}
 * is kept aside as JSON text until they arrive (bounded by the body's own size limit, which the router
 * enforces), then read the same way.
 *
 * <p>Every problem with the body is a {@link BadRequest} (400) with a message that names the offending
 * field, input or element; a body over a limit is a {@link PayloadTooLarge} (413) naming the limit.
 * Nothing else escapes: in particular Jackson's exceptions never surface as a 500. Whether the request
 * fits the model is not decided here but by {@link dev.torpor.function.SignatureValidator}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class InferenceRequestDecoder {
    private final DecodeLimits limits;
    private final JsonFactory factory;

    /** A decoder with {@link DecodeLimits#DEFAULTS}. */
    public InferenceRequestDecoder() {
        this(DecodeLimits.DEFAULTS);
    }

    /** A decoder that enforces {@code limits}. */
    public InferenceRequestDecoder(DecodeLimits limits) {
        this.limits = limits;
        StreamReadConstraints defaults = StreamReadConstraints.defaults();
        this.factory = JsonFactory.builder()
                // Jackson enforces the depth for us, also inside ignored "parameters" that we only skip.
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        // Let our own, better-worded BYTES length check see over-long strings first.
                        .maxStringLength(Math.max(defaults.getMaxStringLength(),
                                (int) Math.min(Integer.MAX_VALUE, limits.maxBytesElementLength() + 1L)))
                        .build())
                // The caller owns the stream; a duplicate key ("shape" twice) is a malformed request.
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // The JDK's Float.parseFloat (JDK 17) falls back to big-integer arithmetic on most 8–9 digit
                // decimals and was ~50% of the router's CPU on small JSON requests (JFR, docs/BENCHMARKS.md);
                // Jackson's FastDoubleParser gives the same correctly rounded float much faster.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
    }

    /** The limits this decoder enforces. */
    public DecodeLimits limits() {
        return limits;
    }

    /**
     * @throws BadRequest      malformed JSON or a request that breaks the protocol
     * @throws PayloadTooLarge a request over one of the {@link DecodeLimits}
     */
    public InferenceRequest decode(byte[] body) {
        if (body.length == 0) {
            throw new BadRequest("the request body is empty");
        }
        try (JsonParser parser = factory.createParser(body)) {
            return decode(parser, body.length);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** The HTTP header that gives the length of the JSON part of a body with binary tensor data. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /**
     * Decodes a body that may carry binary tensor data (Triton's binary tensor data extension): the first
     * {@code headerLength} bytes are the JSON request, the rest the raw data of the inputs that give a
     * {@code binary_data_size}, in the order of those inputs.
     *
     * @param headerLength the value of {@link #HEADER_LENGTH} as the client sent it, or null when absent
     *                     (then the whole body is JSON)
     * @throws BadRequest      malformed JSON, a malformed header length, or binary data that does not add up
     * @throws PayloadTooLarge a request over one of the {@link DecodeLimits}
     */
    public DecodedRequest decode(byte[] body, String headerLength) {
        int jsonLength = headerLength == null ? body.length : parseHeaderLength(headerLength, body.length);
        if (jsonLength == 0) {
            throw new BadRequest(body.length == 0 ? "the request body is empty"
                    : HEADER_LENGTH + " is 0: the body has no JSON request before its binary data");
        }
        Parsed parsed;
        try (JsonParser parser = factory.createParser(body, 0, jsonLength)) {
            parsed = parse(parser, jsonLength);
        } catch (IOException e) {
            throw translate(e);
        }
        List<Tensor> inputs = new ArrayList<>(parsed.inputs.size());
        long declared = 0;
        boolean binary = false;
        for (InputReader.Read input : parsed.inputs) {
            if (input.binarySize() >= 0) {
                binary = true;
                declared += input.binarySize(); // each size is at most 2^63-1 and checked below before the next
                if (declared < 0 || declared > body.length - jsonLength) {
                    throw new BadRequest("the binary inputs up to " + input.label() + " declare " + (declared < 0
                            ? "more than 2^63-1" : Long.toString(declared)) + " bytes of binary_data_size, but "
                            + (headerLength == null ? "the request has no " + HEADER_LENGTH + " header"
                            : "only " + (body.length - jsonLength) + " bytes follow the " + jsonLength
                            + "-byte JSON header (" + HEADER_LENGTH + ")"));
                }
            }
        }
        if (!binary && jsonLength != body.length) {
            throw new BadRequest((body.length - jsonLength) + " bytes follow the " + jsonLength + "-byte JSON header ("
                    + HEADER_LENGTH + "), but no input gives a binary_data_size");
        }
        if (declared != body.length - jsonLength) {
            throw new BadRequest((body.length - jsonLength) + " bytes follow the " + jsonLength + "-byte JSON header ("
                    + HEADER_LENGTH + "), but the inputs' binary_data_size add up to " + declared);
        }
        int offset = jsonLength;
        for (InputReader.Read input : parsed.inputs) {
            if (input.tensor() != null) {
                inputs.add(input.tensor());
                continue;
            }
            int size = (int) input.binarySize();
            if (input.datatype() == dev.torpor.store.DataType.BYTES) {
                // The binary layout already counts 4 bytes of length per element, as the budget does.
                parsed.bytesBudget.spend(size, input.label());
            }
            Object data = BinaryTensorData.read(body, offset, size, input.datatype(), input.count(), input.label(),
                    limits.maxBytesElementLength());
            inputs.add(new Tensor(input.name(), input.datatype(), input.shape(), data));
            offset += size;
        }
        return new DecodedRequest(new InferenceRequest(parsed.id, inputs, parsed.outputs), parsed.binaryOutput,
                parsed.binaryOutputs);
    }

    /**
     * The value of {@link #HEADER_LENGTH}: a decimal count of bytes from 0 to the body's length.
     *
     * @throws BadRequest otherwise, naming the header and the value
     */
    public static int parseHeaderLength(String value, int bodyLength) {
        String text = value.trim();
        long length;
        try {
            length = Long.parseLong(text);
        } catch (NumberFormatException notANumber) {
            throw new BadRequest(HEADER_LENGTH + " must be a whole number of bytes, not '" + Tokens.shorten(text) + "'");
        }
        if (length < 0) {
            throw new BadRequest(HEADER_LENGTH + " " + length + " is negative");
        }
        if (length > bodyLength) {
            throw new BadRequest(HEADER_LENGTH + " " + length + " is beyond the end of the " + bodyLength
                    + "-byte body");
        }
        return (int) length;
    }

    /**
     * Reads the request from {@code body}, which is left open.
     *
     * @throws BadRequest      malformed JSON, a request that breaks the protocol, or a body that cannot be read
     * @throws PayloadTooLarge a request over one of the {@link DecodeLimits}
     */
    public InferenceRequest decode(InputStream body) {
        try (JsonParser parser = factory.createParser(body)) {
            return decode(parser, -1);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private InferenceRequest decode(JsonParser parser, long jsonLength) throws IOException {
        Parsed parsed = parse(parser, jsonLength);
        List<Tensor> inputs = new ArrayList<>(parsed.inputs.size());
        for (InputReader.Read input : parsed.inputs) {
            if (input.tensor() == null) {
                throw new BadRequest(input.label() + " gives a binary_data_size, but binary tensor data needs the "
                        + HEADER_LENGTH + " header");
            }
            inputs.add(input.tensor());
        }
        return new InferenceRequest(parsed.id, inputs, parsed.outputs);
    }

    /** The JSON part of a request, before any binary data is attached. */
    private static final class Parsed {
        String id;
        List<InputReader.Read> inputs;
        List<String> outputs = List.of();
        boolean binaryOutput;
        Map<String, Boolean> binaryOutputs = new HashMap<>();
        BytesBudget bytesBudget;
    }

    private Parsed parse(JsonParser parser, long jsonLength) throws IOException {
        Parsed parsed = new Parsed();
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new BadRequest("the request body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new BadRequest("the request body must be a JSON object, not " + Tokens.describe(parser));
        }
        InputReader inputReader = new InputReader(factory, limits, jsonLength);
        parsed.bytesBudget = inputReader.bytesBudget();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "id" -> {
                    if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                        throw new BadRequest("'id' must be a string, not " + Tokens.describe(parser));
                    }
                    parsed.id = value == JsonToken.VALUE_NULL ? null : parser.getText();
                }
                case "parameters" -> Tokens.readParameters(parser, "'parameters' of the request", (key, param) -> {
                    if (!key.equals("binary_data_output")) {
                        return false;
                    }
                    parsed.binaryOutput = Tokens.bool(param, "binary_data_output of the request");
                    return true;
                });
                case "inputs" -> parsed.inputs = readInputs(parser, inputReader);
                case "outputs" -> parsed.outputs = readOutputs(parser, parsed.binaryOutputs);
                default -> throw new BadRequest("unknown field '" + field + "' in the request");
            }
        }
        if (parser.nextToken() != null) {
            throw new BadRequest("unexpected content after the request object");
        }
        if (parsed.inputs == null) {
            throw new BadRequest("the request has no 'inputs'");
        }
        return parsed;
    }

    private List<InputReader.Read> readInputs(JsonParser parser, InputReader reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new BadRequest("'inputs' must be an array, not " + Tokens.describe(parser));
        }
        List<InputReader.Read> inputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int index = inputs.size();
            if (index == limits.maxInputs()) {
                throw new PayloadTooLarge("the request has more than " + DecodeLimits.describe("maxInputs",
                        limits.maxInputs()) + " inputs");
            }
            InputReader.Read input = reader.read(parser, index);
            if (!names.add(input.name())) {
                throw new BadRequest("input '" + input.name() + "' appears more than once");
            }
            inputs.add(input);
        }
        return inputs;
    }

    private List<String> readOutputs(JsonParser parser, Map<String, Boolean> binary) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new BadRequest("'outputs' must be an array, not " + Tokens.describe(parser));
        }
        List<String> names = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (names.size() == limits.maxOutputs()) {
                throw new PayloadTooLarge("the request names more than " + DecodeLimits.describe("maxOutputs",
                        limits.maxOutputs()) + " outputs");
            }
            String where = "outputs[" + names.size() + "]";
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                throw new BadRequest(where + " must be an object, not " + Tokens.describe(parser));
            }
            String name = null;
            Boolean binaryData = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "name" -> {
                        if (parser.currentToken() != JsonToken.VALUE_STRING) {
                            throw new BadRequest("'name' of " + where + " must be a string, not "
                                    + Tokens.describe(parser));
                        }
                        name = parser.getText();
                    }
                    case "parameters" -> {
                        Boolean[] flag = {null};
                        Tokens.readParameters(parser, "'parameters' of " + where, (key, param) -> {
                            if (!key.equals("binary_data")) {
                                return false;
                            }
                            flag[0] = Tokens.bool(param, "binary_data of " + where);
                            return true;
                        });
                        binaryData = flag[0];
                    }
                    default -> throw new BadRequest("unknown field '" + field + "' in " + where);
                }
            }
            if (name == null) {
                throw new BadRequest(where + " has no 'name'");
            }
            if (names.contains(name)) {
                throw new BadRequest("output '" + name + "' is requested more than once");
            }
            names.add(name);
            if (binaryData != null) {
                binary.put(name, binaryData);
            }
        }
        return names;
    }

    /** Jackson's exceptions say what broke and where; they become 400s (or a 413 for a parser limit). */
    private RuntimeException translate(IOException e) {
        if (e instanceof StreamConstraintsException limit) {
            String message = limit.getOriginalMessage();
            if (message != null && message.contains("nesting depth")) {
                return new PayloadTooLarge("the request nests JSON deeper than "
                        + DecodeLimits.describe("maxNestingDepth", limits.maxNestingDepth()), e);
            }
            if (message != null && message.startsWith("String value length")) {
                return new PayloadTooLarge("the request holds a JSON string longer than the parser allows: "
                        + message, e);
            }
            return new BadRequest("malformed JSON: " + message, e);
        }
        if (e instanceof JsonProcessingException json) {
            String where = json.getLocation() == null ? ""
                    : " (line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr() + ")";
            return new BadRequest("malformed JSON: " + json.getOriginalMessage() + where, e);
        }
        return new BadRequest("the request body could not be read: " + e.getMessage(), e);
    }
}
