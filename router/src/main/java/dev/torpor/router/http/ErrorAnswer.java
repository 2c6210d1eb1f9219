package dev.torpor.router.http;

import dev.torpor.error.ErrorKind;
import dev.torpor.error.RetryLater;
import dev.torpor.error.TorporException;
import java.util.Map;

/**
 * What a client receives for an error: the one mapping from each {@link ErrorKind} to its HTTP status, the Open
 * Inference Protocol's {@code {"error": message}} body, and the headers ({@code Retry-After} in whole seconds for
 * the errors that say "not now"). Every path that answers an error uses it: the exception handler, the auth filter
 * and the infer path, which writes its answer's bytes itself. Immutable.
 *
 * @param status  the HTTP status
 * @param message the body's {@code error} text (never null)
 * @param headers the headers to add; empty when none
 */
public record ErrorAnswer(int status, String message, Map<String, String> headers) {

    public ErrorAnswer {
        message = message == null ? "error" : message;
        headers = Map.copyOf(headers);
    }

    public static ErrorAnswer of(TorporException error) {
        Map<String, String> headers = error.retryAfter()
                .map(wait -> Map.of("Retry-After", Long.toString(RetryLater.wholeSeconds(wait))))
                .orElse(Map.of());
        return new ErrorAnswer(status(error.kind()), error.getMessage(), headers);
    }

    /** The HTTP status of each kind of error (API.md "Errors"); the compiler checks that none is missing. */
    public static int status(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case MODEL_NOT_FOUND -> 404;
            case VERSION_CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case BAD_INPUT -> 422;
            case QUEUE_FULL -> 429;
            // Never sent (the client is gone): nginx's "client closed request", kept in the billing record.
            case REQUEST_CANCELLED -> 499;
            case ENGINE_FAILURE -> 500;
            case MODEL_LOAD_FAILED, CAPACITY_EXHAUSTED, SHUTTING_DOWN, INSTANCE_CRASHED -> 503;
            case DEADLINE_EXCEEDED -> 504;
        };
    }

    /** The Open Inference Protocol's error body. */
    public Map<String, String> body() {
        return Map.of("error", message);
    }
}
