package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The errors that say "not now" rather than "not this": the client may send the same request again after
 * {@link #retryAfter()}, which the edge sends as {@code Retry-After}.
 */
public abstract sealed class RetryLater extends TorporException
        permits QueueFull, ModelLoadFailed, CapacityExhausted, ShuttingDown, InstanceCrashed {
    private final Duration retryAfter;

    /** @param retryAfter how long to wait, or null when there is no useful hint */
    protected RetryLater(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
