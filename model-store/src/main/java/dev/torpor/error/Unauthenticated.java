package dev.torpor.error;

/** No API key, or one Torpor does not know. Says nothing about which keys exist. */
public final class Unauthenticated extends TorporException {
    public Unauthenticated(String message) {
        super(message);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.UNAUTHENTICATED;
    }
}
