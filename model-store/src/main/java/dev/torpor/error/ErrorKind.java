package dev.torpor.error;

/**
 * One constant per concrete {@link TorporException}, so that code which must treat every kind of error
 * (the router edge's answers, the frame protocol's error codes) can {@code switch} over it and let the
 * compiler check that no kind is forgotten. Java 17 cannot switch exhaustively over a sealed hierarchy; an
 * enum returned by {@link TorporException#kind()} gives the same guarantee.
 */
public enum ErrorKind {
    BAD_REQUEST,
    UNAUTHENTICATED,
    FORBIDDEN,
    MODEL_NOT_FOUND,
    VERSION_CONFLICT,
    PAYLOAD_TOO_LARGE,
    BAD_INPUT,
    QUEUE_FULL,
    MODEL_LOAD_FAILED,
    CAPACITY_EXHAUSTED,
    SHUTTING_DOWN,
    INSTANCE_CRASHED,
    DEADLINE_EXCEEDED,
    REQUEST_CANCELLED,
    ENGINE_FAILURE
}
