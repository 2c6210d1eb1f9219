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
import java.util.HashSet;
import java.util.List;
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
            return decode(parser);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Reads the request from {@code body}, which is left open.
     *
     * @throws BadRequest      malformed JSON, a request that breaks the protocol, or a body that cannot be read
     * @throws PayloadTooLarge a request over one of the {@link DecodeLimits}
     */
    public InferenceRequest decode(InputStream body) {
        try (JsonParser parser = factory.createParser(body)) {
            return decode(parser);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private InferenceRequest decode(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new BadRequest("the request body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new BadRequest("the request body must be a JSON object, not " + Tokens.describe(parser));
        }
        String id = null;
        List<Tensor> inputs = null;
        List<String> outputs = List.of();
        InputReader inputReader = new InputReader(factory, limits);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "id" -> {
                    if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                        throw new BadRequest("'id' must be a string, not " + Tokens.describe(parser));
                    }
                    id = value == JsonToken.VALUE_NULL ? null : parser.getText();
                }
                case "parameters" -> Tokens.skipObject(parser, "'parameters' of the request");
                case "inputs" -> inputs = readInputs(parser, inputReader);
                case "outputs" -> outputs = readOutputs(parser);
                default -> throw new BadRequest("unknown field '" + field + "' in the request");
            }
        }
        if (parser.nextToken() != null) {
            throw new BadRequest("unexpected content after the request object");
        }
        if (inputs == null) {
            throw new BadRequest("the request has no 'inputs'");
        }
        return new InferenceRequest(id, inputs, outputs);
    }

    private List<Tensor> readInputs(JsonParser parser, InputReader reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new BadRequest("'inputs' must be an array, not " + Tokens.describe(parser));
        }
        List<Tensor> inputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int index = inputs.size();
            if (index == limits.maxInputs()) {
                throw new PayloadTooLarge("the request has more than maxInputs (" + limits.maxInputs() + ") inputs");
            }
            Tensor tensor = reader.read(parser, index);
            if (!names.add(tensor.name())) {
                throw new BadRequest("input '" + tensor.name() + "' appears more than once");
            }
            inputs.add(tensor);
        }
        return inputs;
    }

    private List<String> readOutputs(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new BadRequest("'outputs' must be an array, not " + Tokens.describe(parser));
        }
        List<String> names = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String where = "outputs[" + names.size() + "]";
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                throw new BadRequest(where + " must be an object, not " + Tokens.describe(parser));
            }
            String name = null;
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
                    case "parameters" -> Tokens.skipObject(parser, "'parameters' of " + where);
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
        }
        return names;
    }

    /** Jackson's exceptions say what broke and where; they become 400s (or a 413 for a parser limit). */
    private RuntimeException translate(IOException e) {
        if (e instanceof StreamConstraintsException limit) {
            String message = limit.getOriginalMessage();
            if (message != null && message.contains("nesting depth")) {
                return new PayloadTooLarge("the request nests JSON deeper than maxNestingDepth ("
                        + limits.maxNestingDepth() + ")", e);
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
