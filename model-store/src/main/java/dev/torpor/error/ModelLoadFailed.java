package dev.torpor.error;

import java.time.Duration;

/** The model failed to load; the message gives the engine's reason (503 with {@code Retry-After}). */
public final class ModelLoadFailed extends RetryLater {
    public ModelLoadFailed(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    public ModelLoadFailed(String message, Duration retryAfter, Throwable cause) {
        super(message, retryAfter, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.MODEL_LOAD_FAILED;
    }

    @Override
    public int httpStatus() {
        return 503;
    }
}
