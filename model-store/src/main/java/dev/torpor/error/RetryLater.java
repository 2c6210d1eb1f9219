package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The errors that say "not now" rather than "not this": the client may send the same request again after
 * {@link #retryAfter()}; the edge tells the client that wait.
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

    /**
     * A wait as the whole seconds a client is told: rounded up, and at least 1 (a client told 0 would retry at
     * once). The one rounding of every wait Torpor states, in an answer's header or in a message.
     */
    public static long wholeSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
