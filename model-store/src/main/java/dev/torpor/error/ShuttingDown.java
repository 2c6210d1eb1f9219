package dev.torpor.error;

import java.time.Duration;

/** The router is draining for shutdown and accepts no new work. */
public final class ShuttingDown extends RetryLater {
    public ShuttingDown(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.SHUTTING_DOWN;
    }
}
