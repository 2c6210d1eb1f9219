package dev.torpor.error;

/** A known key whose role or tenant does not allow the request. */
public final class Forbidden extends TorporException {
    public Forbidden(String message) {
        super(message);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.FORBIDDEN;
    }
}
