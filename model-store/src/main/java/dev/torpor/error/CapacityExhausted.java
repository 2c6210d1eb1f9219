package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/** No placement can be found for a new instance within the pool's limits (503 with {@code Retry-After}). */
public final class CapacityExhausted extends TorporException {
    private final Duration retryAfter;

    public CapacityExhausted(String message, Duration retryAfter) {
        super(message);
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
