package dev.torpor.function.onnx;

import ai.onnxruntime.OrtException;
import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.TorporException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whose fault a failed ORT run is. ORT flags what it checks before running (input names, types,
 * ranks, declared dimensions) as INVALID_ARGUMENT. Shapes that only clash inside the graph (a dimension
 * the signature leaves free, but an operator needs to match another input) surface as a node's failure
 * with a shape message; those are the input's fault too, since the same model runs with other inputs.
 * Everything else is the engine's.
 */
final class OrtErrors {
    private static final Pattern PREFIX = Pattern.compile("^Error code - [A-Z_]+ - message: ");

    private OrtErrors() {
    }

    /** ORT's own words, without the "Error code - ORT_X - message: " prefix its Java API adds. */
    static String message(OrtException e) {
        String message = String.valueOf(e.getMessage());
        return PREFIX.matcher(message).replaceFirst("");
    }

    static TorporException ofRun(OrtException e) {
        String message = message(e);
        if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT || isShapeMismatch(message)) {
            return new BadInput("ONNX Runtime refused the input: " + message, e);
        }
        return new EngineFailure("ONNX Runtime failed: " + message, e);
    }

    static boolean isShapeMismatch(String message) {
        if (message == null) {
            return false;
        }
        String text = message.toLowerCase(Locale.ROOT);
        return text.contains("broadcast") || text.contains("shape mismatch") || text.contains("invalid dimensions")
                || text.contains("incompatible dimensions") || text.contains("shapeinferenceerror")
                || text.contains("dimension mismatch") || text.contains("input dimensions")
                || text.contains("the input tensor cannot be reshaped") || text.contains("invalid shape");
    }
}
