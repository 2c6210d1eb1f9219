package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The errors Torpor answers with. Each names its {@link ErrorKind}; the router's edge turns every kind into
 * its answer in one place, and other transports (the function process's frames) carry the kind. This module
 * knows nothing of HTTP. Anything that is not a {@code TorporException} is a bug or an unclassified failure.
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

    /** Which kind of error this is: the key of every exhaustive mapping (the edge's answer, frame codes). */
    public abstract ErrorKind kind();

    /** How long a client should wait before trying again; present only for the {@link RetryLater} errors. */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }
}
