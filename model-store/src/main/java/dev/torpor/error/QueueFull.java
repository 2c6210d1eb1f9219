package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/** The model's queue, or the total queue, is full (429 with {@code Retry-After}). */
public final class QueueFull extends TorporException {
    private final Duration retryAfter;

    public QueueFull(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    @Override
    public int httpStatus() {
        return 429;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
