package dev.torpor.error;

/** The request's deadline passed while it waited or ran. */
public final class DeadlineExceeded extends TorporException {
    public DeadlineExceeded(String message) {
        super(message);
    }

    public DeadlineExceeded(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.DEADLINE_EXCEEDED;
    }
}
