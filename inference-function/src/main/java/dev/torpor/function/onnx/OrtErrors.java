package dev.torpor.function.onnx;

import ai.onnxruntime.OrtException;
import dev.torpor.error.TorporException;
import dev.torpor.function.EngineErrors;
import java.util.regex.Pattern;

/**
 * ONNX Runtime's failures in clients' words, and whose fault a failed run is ({@link EngineErrors}' rule). ORT
 * flags what it checks before running (input names, types, ranks, declared dimensions) as INVALID_ARGUMENT, and so
 * do kernels that check their inputs; a kernel's other refusals (an LSTM's {@code initial_h} that does not match
 * the batch, a Tile's {@code repeats} of the wrong length) come as FAIL or RUNTIME_EXCEPTION with a shape message.
 * Every message ORT gives a client passes through {@link #message}.
 */
final class OrtErrors {
    private static final Pattern PREFIX = Pattern.compile("^Error code - [A-Z_]+ - message: ");

    private OrtErrors() {
    }

    /** ORT's own words, without the "Error code - ORT_X - message: " prefix its Java API adds, nor source paths. */
    static String message(OrtException e) {
        String message = String.valueOf(e.getMessage());
        return EngineErrors.withoutSourcePaths(PREFIX.matcher(message).replaceFirst(""));
    }

    /** A failed run (or a refused input tensor): the input's fault (422) or the engine's (500). */
    static TorporException ofRun(OrtException e) {
        return EngineErrors.ofRun("ONNX Runtime", e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT,
                message(e), e);
    }
}
