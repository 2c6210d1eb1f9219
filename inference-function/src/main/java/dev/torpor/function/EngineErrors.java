package dev.torpor.function;

import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.TorporException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every engine's failures have in common: the words a client may read, and whose fault a failed run is.
 * Each engine classifies its own failures in one place ({@code OrtErrors}, {@code DjlErrors}) with this rule:
 *
 * <ul>
 *   <li>A failure the input caused is the client's ({@link BadInput}, answered 422): the engine says so with its own
 *       code (ONNX Runtime's INVALID_ARGUMENT), or reports a clash of shapes or dimensions inside the graph (a
 *       dimension the signature leaves free, but an operator needs to match another input). The same model runs
 *       with other inputs.</li>
 *   <li>Any other failure is the engine's ({@link EngineFailure}, answered 500).</li>
 * </ul>
 *
 * <p>Engine messages are written for the engine's developers: native code puts its source file, line and C++
 * function in them ({@code /onnxruntime_src/onnxruntime/core/providers/cpu/…cc:123 void onnxruntime::…(…) …}).
 * {@link #withoutSourcePaths} removes those before a message reaches a client. Stateless; thread-safe.
 */
public final class EngineErrors {
    /** A native source file, with its line: {@code /a/b/c.cc:123}, {@code C:\a\b.cpp:7}. */
    private static final Pattern SOURCE = Pattern.compile(
            "(?:[A-Za-z]:)?(?:[/\\\\][\\w.+-]+)+\\.(?:cc|cpp|cxx|c|h|hpp|cu|mm)(?![\\w.])(?::\\d+)?\\s*");
    /** The C++ function a native location names after its file: optional return type, a qualified name, "(". */
    private static final Pattern FUNCTION = Pattern.compile(
            "^(?:[\\w:<>*&]+\\s+){0,3}[\\w~<>]*(?:::[\\w~<>]+)+\\(");

    private EngineErrors() {
    }

    /**
     * A run's failure by the rule above.
     *
     * @param engine      the engine's name as clients read it ("ONNX Runtime", "DJL")
     * @param inputCaused whether the engine's own code says the input was invalid
     * @param message     the engine's words; source paths are removed here
     */
    public static TorporException ofRun(String engine, boolean inputCaused, String message, Throwable cause) {
        String readable = withoutSourcePaths(message);
        if (inputCaused || isShapeClash(readable)) {
            return new BadInput(engine + " refused the input: " + readable, cause);
        }
        return new EngineFailure(engine + " failed: " + readable, cause);
    }

    /** Whether an engine's message reports shapes or dimensions that do not fit together. */
    public static boolean isShapeClash(String message) {
        if (message == null) {
            return false;
        }
        String text = message.toLowerCase(Locale.ROOT);
        return text.contains("shape") || text.contains("dimension") || text.contains("broadcast")
                || text.contains("size mismatch") || text.contains("cannot be reshaped");
    }

    /**
     * {@code message} without the native source locations engines put in it: each file path (with its line) and
     * the C++ function named right after it. The rest of the message is kept as it is.
     */
    public static String withoutSourcePaths(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(message.length());
        Matcher source = SOURCE.matcher(message);
        int from = 0;
        while (source.find(from)) {
            out.append(message, from, source.start());
            from = afterFunction(message, source.end());
        }
        return out.append(message, from, message.length()).toString().strip();
    }

    /** Where the text after a source location starts once the C++ function it names is skipped. */
    private static int afterFunction(String message, int start) {
        Matcher function = FUNCTION.matcher(message).region(start, message.length());
        if (!function.lookingAt()) {
            return start;
        }
        int depth = 1;
        int i = function.end();
        while (i < message.length() && depth > 0) {
            char c = message.charAt(i++);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
        for (String suffix : new String[] {"::<lambda()>", " const"}) {
            if (message.startsWith(suffix, i)) {
                i += suffix.length();
            }
        }
        while (i < message.length() && Character.isWhitespace(message.charAt(i))) {
            i++;
        }
        return i;
    }
}
