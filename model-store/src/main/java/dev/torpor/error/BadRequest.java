package dev.torpor.error;

/** A malformed request or upload: bad JSON, bad archive, invalid name, shape/data count mismatch, unknown field. */
public final class BadRequest extends TorporException {
    public BadRequest(String message) {
        super(message);
    }

    public BadRequest(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.BAD_REQUEST;
    }
}
