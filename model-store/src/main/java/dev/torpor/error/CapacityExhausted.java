package dev.torpor.error;

import java.time.Duration;

/** No placement can be found for a new instance within the pool's limits (503 with {@code Retry-After}). */
public final class CapacityExhausted extends RetryLater {
    public CapacityExhausted(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.CAPACITY_EXHAUSTED;
    }

    @Override
    public int httpStatus() {
        return 503;
    }
}
