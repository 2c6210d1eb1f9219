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
