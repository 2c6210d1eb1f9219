package dev.torpor.error;

/** A model version that already exists: versions are immutable. */
public final class VersionConflict extends TorporException {
    public VersionConflict(String message) {
        super(message);
    }

    public VersionConflict(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.VERSION_CONFLICT;
    }
}
