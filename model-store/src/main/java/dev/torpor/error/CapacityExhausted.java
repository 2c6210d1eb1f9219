package dev.torpor.error;

import java.time.Duration;

/**
 * No capacity for the work now: no placement can be found for a new instance within the pool's limits, or the
 * router's threads for blocking work are all busy. The message names the limit; the client may retry.
 */
public final class CapacityExhausted extends RetryLater {
    public CapacityExhausted(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.CAPACITY_EXHAUSTED;
    }
}
