package dev.torpor.error;

import java.time.Duration;

/** The model's queue, or the total queue, is full (429 with {@code Retry-After}). */
public final class QueueFull extends RetryLater {
    public QueueFull(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.QUEUE_FULL;
    }

    @Override
    public int httpStatus() {
        return 429;
    }
}
