package dev.torpor.function.djl;

import ai.onnxruntime.OrtException;
import dev.torpor.error.TorporException;
import dev.torpor.function.EngineErrors;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * DJL wraps the engines' errors (TranslateException around EngineException around a native message); clients
 * need the engine's own words, without the store's paths, native source paths and DJL's wrappers repeated.
 */
final class DjlErrors {
    private static final java.util.regex.Pattern ERROR_LINE =
            java.util.regex.Pattern.compile("^[A-Za-z_.]*(Error|Exception): .+");

    private DjlErrors() {
    }

    /** The distinct messages of {@code failure}'s cause chain, joined; store paths reduced to file names. */
    static String message(Throwable failure, Path artifact) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable cause = failure; cause != null && parts.size() < 4; cause = cause.getCause()) {
            String text = cause.getMessage();
            if (text == null || text.isBlank()) {
                continue;
            }
            String readable = firstLines(text.strip());
            String head = firstLine(readable);
            if (parts.stream().noneMatch(known -> known.contains(head))) {
                parts.add(readable);
            }
        }
        String message = parts.isEmpty() ? failure.getClass().getSimpleName()
                : EngineErrors.withoutSourcePaths(String.join(": ", parts));
        if (artifact != null && artifact.getParent() != null) {
            message = message.replace(artifact.getParent().toString() + "/", "")
                    .replace(artifact.getParent().toString(), ".");
        }
        return message;
    }

    /**
     * A run's failure by {@link EngineErrors}' rule: the input's fault when ONNX Runtime (DJL's OnnxRuntime engine)
     * says the input was invalid, when the engine reports a shape clash, or in PyTorch's words for a wrong type or
     * size; else the engine's.
     */
    static TorporException ofRun(Throwable failure) {
        String message = message(failure, null);
        String text = message.toLowerCase(Locale.ROOT);
        boolean inputCaused = ortSaysInvalid(failure) || text.contains("expected scalar type")
                || text.contains("must match the size") || text.contains("cannot be multiplied")
                || text.contains("input mismatch");
        return EngineErrors.ofRun("DJL", inputCaused, message, failure);
    }

    private static boolean ortSaysInvalid(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof OrtException ort && ort.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
                return true;
            }
        }
        return false;
    }

    /**
     * Native errors carry tracebacks: keep the engine's own error line (TorchScript's "RuntimeError: …") when
     * there is one, else the first lines up to a C++ stack trace.
     */
    private static String firstLines(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (ERROR_LINE.matcher(lines[i].strip()).matches()) {
                return lines[i].strip();
            }
        }
        StringBuilder kept = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("frame #") || trimmed.startsWith("Exception raised from")) {
                break;
            }
            if (kept.length() > 0) {
                kept.append(' ');
            }
            kept.append(trimmed);
            if (kept.length() > 600) {
                break;
            }
        }
        return kept.toString();
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 80 ? line.substring(0, 80) : line;
    }
}
