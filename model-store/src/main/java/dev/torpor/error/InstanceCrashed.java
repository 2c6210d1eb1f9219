package dev.torpor.error;

import java.time.Duration;

/**
 * The function instance that ran (or was about to run) the request died: its process crashed, was killed
 * for exceeding its memory limit or stopped answering its health check. The message says which; the
 * client may retry, as the next request gets a new process.
 */
public final class InstanceCrashed extends RetryLater {
    public InstanceCrashed(String message, Duration retryAfter) {
        super(message, retryAfter, null);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.INSTANCE_CRASHED;
    }
}
