package dev.torpor.error;

/** A body or tensor over a configured size limit; the message names the limit. */
public final class PayloadTooLarge extends TorporException {
    public PayloadTooLarge(String message) {
        super(message);
    }

    public PayloadTooLarge(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.PAYLOAD_TOO_LARGE;
    }
}
