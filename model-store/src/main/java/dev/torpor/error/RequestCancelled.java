package dev.torpor.error;

/** The client went away before its answer was ready. Never sent to anyone; it marks the billing record {@code cancelled}. */
public final class RequestCancelled extends TorporException {
    public RequestCancelled(String message) {
        super(message);
    }

    public RequestCancelled(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.REQUEST_CANCELLED;
    }
}
