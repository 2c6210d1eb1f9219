package dev.torpor.error;

import java.time.Duration;

/** The model's queue, or the total queue, is full; the client may retry later. */
public final class QueueFull extends RetryLater {
    public QueueFull(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.QUEUE_FULL;
    }
}
