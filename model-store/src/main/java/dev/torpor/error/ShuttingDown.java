package dev.torpor.error;

import java.time.Duration;
import java.util.Optional;

/** The router is draining for shutdown and accepts no new work (503). */
public final class ShuttingDown extends TorporException {
    private final Duration retryAfter;

    public ShuttingDown(String message, Duration retryAfter) {
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
