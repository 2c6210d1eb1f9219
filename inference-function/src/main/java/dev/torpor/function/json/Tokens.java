package dev.torpor.function.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.torpor.error.BadRequest;
import java.io.IOException;

/** Small parser helpers shared by the decoder's readers. */
final class Tokens {
    private Tokens() {
    }

    /** The current token in words, for error messages ("a string", "1.5", "an array"). */
    static String describe(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> shorten(parser.getText());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    /** Skips an object (or null) we accept but do not use; anything else is a 400. */
    static void skipObject(JsonParser parser, String what) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new BadRequest(what + " must be an object, not " + describe(parser));
        }
        parser.skipChildren();
    }

    /** What a {@link #readParameters} visitor does with one parameter whose value is the current token. */
    interface ParameterVisitor {
        /** @return true when it consumed the value; false to have it skipped */
        boolean visit(String name, JsonParser parser) throws IOException;
    }

    /**
     * Reads a {@code parameters} object (or null): each parameter goes to {@code visitor}, which reads the
     * ones it knows; the others are skipped whatever their value.
     */
    static void readParameters(JsonParser parser, String what, ParameterVisitor visitor) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new BadRequest(what + " must be an object, not " + describe(parser));
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (!visitor.visit(name, parser)) {
                parser.skipChildren();
            }
        }
    }

    /** The boolean at the current token; anything else is a 400 naming {@code what}. */
    static boolean bool(JsonParser parser, String what) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
            throw new BadRequest(what + " must be true or false, not " + describe(parser));
        }
        return token == JsonToken.VALUE_TRUE;
    }

    /** Keeps a client-supplied value readable in a message. */
    static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** A shape as the protocol writes it: {@code [1,512]}. */
    static String shape(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(shape[i]);
        }
        return text.append(']').toString();
    }
}
