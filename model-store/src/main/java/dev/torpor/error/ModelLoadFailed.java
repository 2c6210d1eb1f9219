package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/** The model failed to load; the message gives the engine's reason (503 with {@code Retry-After}). */
public final class ModelLoadFailed extends TorporException {
    private final Duration retryAfter;

    public ModelLoadFailed(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public ModelLoadFailed(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    @Override
    public int httpStatus() {
        return 503;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
