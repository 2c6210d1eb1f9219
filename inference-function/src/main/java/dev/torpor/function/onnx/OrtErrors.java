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
 * A string kernel that cannot decode an input's text as UTF-8 says so as FAIL too (StringNormalizer's "Failed to
 * compute buffer size for wchar_t … Source: …"): that is the input's fault as well. ORT's Java API hands strings to
 * ORT in Java's modified UTF-8, so a BYTES element holding U+0000 arrives as the invalid bytes C0 80 and fails so.
 * Every message ORT gives a client passes through {@link #message}.
 */
final class OrtErrors {
    private static final Pattern PREFIX = Pattern.compile("^Error code - [A-Z_]+ - message: ");
    /**
     * ORT's words when a kernel cannot decode an input string: StringNormalizer's converter on Linux and macOS
     * ("Failed to compute buffer size for wchar_t", "Failed to convert to wchar_t"), on Windows
     * ("MultiByteToWideChar failed"), and the older "Input contains invalid utf8 chars".
     */
    private static final Pattern UNDECODABLE_TEXT = Pattern.compile(
            "Failed to compute buffer size for wchar_t|Failed to convert to wchar_t|MultiByteToWideChar failed"
                    + "|invalid utf8 chars");

    private OrtErrors() {
    }

    /** ORT's own words, without the "Error code - ORT_X - message: " prefix its Java API adds, nor source paths. */
    static String message(OrtException e) {
        String message = String.valueOf(e.getMessage());
        return EngineErrors.withoutSourcePaths(PREFIX.matcher(message).replaceFirst(""));
    }

    /** A failed run (or a refused input tensor): the input's fault (422) or the engine's (500). */
    static TorporException ofRun(OrtException e) {
        String message = message(e);
        boolean inputCaused = e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT
                || UNDECODABLE_TEXT.matcher(message).find();
        return EngineErrors.ofRun("ONNX Runtime", inputCaused, message, e);
    }
}
