package dev.torpor.router.activation;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.RetryLater;
import dev.torpor.error.TorporException;
import dev.torpor.store.ModelId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers a model version's failed loads and when the next try is allowed: 1 s after the first failure,
 * doubling up to 60 s. Requests that arrive before then are refused at once with the last reason, so a
 * broken model never causes a storm of reloads. Not thread-safe: guarded by its gate.
 */
final class LoadBackoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(60);

    private int consecutiveFailures;
    private String lastReason;
    private Instant lastFailureAt;
    private Instant retryNotBefore = Instant.MIN;

    void recordFailure(String reason, Instant now) {
        consecutiveFailures++;
        lastReason = reason;
        lastFailureAt = now;
        long factor = 1L << Math.min(consecutiveFailures - 1, 6);
        Duration wait = FIRST.multipliedBy(factor);
        retryNotBefore = now.plus(wait.compareTo(MAX) > 0 ? MAX : wait);
    }

    void recordSuccess() {
        consecutiveFailures = 0;
        retryNotBefore = Instant.MIN;
    }

    boolean blocks(Instant now) {
        return now.isBefore(retryNotBefore);
    }

    /** How long until a retry is allowed; zero once allowed. */
    Duration remaining(Instant now) {
        return blocks(now) ? Duration.between(now, retryNotBefore) : Duration.ZERO;
    }

    boolean hasFailed() {
        return consecutiveFailures > 0;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    String lastReason() {
        return lastReason;
    }

    Instant lastFailureAt() {
        return lastFailureAt;
    }

    Instant retryNotBefore() {
        return retryNotBefore;
    }

    /** The refusal while this backoff blocks: the last load's reason, and when the next attempt may come. */
    TorporException refusal(ModelId id, Instant now) {
        Duration wait = remaining(now);
        return new ModelLoadFailed("model " + id + " failed to load: " + lastReason
                + " (next attempt in " + RetryLater.wholeSeconds(wait) + " s)", wait);
    }

    /** The unrecovered failure of {@code version}, if its last load failed. */
    Optional<LoadFailureView> view(String version) {
        return hasFailed() ? Optional.of(new LoadFailureView(version, lastReason, lastFailureAt, consecutiveFailures,
                retryNotBefore)) : Optional.empty();
    }
}
