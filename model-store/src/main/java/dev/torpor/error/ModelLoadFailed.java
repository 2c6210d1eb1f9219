package dev.torpor.error;

import java.time.Duration;

/** The model failed to load; the message gives the engine's reason; the client may retry later. */
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
}
