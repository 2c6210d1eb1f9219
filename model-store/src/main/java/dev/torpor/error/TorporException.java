package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The errors Torpor answers with. Each kind knows its HTTP status; the router maps every one of them
 * to {@code {"error": message}} in one place. Anything that is not a {@code TorporException} is a bug
 * and answers 500.
 */
public abstract sealed class TorporException extends RuntimeException
        permits BadRequest, Unauthenticated, Forbidden, ModelNotFound, VersionConflict, PayloadTooLarge, BadInput, RetryLater,
                DeadlineExceeded, RequestCancelled, EngineFailure {

    protected TorporException(String message) {
        super(message);
    }

    protected TorporException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Which kind of error this is: the key of every exhaustive mapping (HTTP status, frame codes). */
    public abstract ErrorKind kind();

    /** The HTTP status this error answers with. */
    public abstract int httpStatus();

    /** How long a client should wait before trying again, for the statuses that carry {@code Retry-After}. */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }
}
