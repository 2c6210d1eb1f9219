package dev.torpor.error;

/** An unknown model, version or route. */
public final class ModelNotFound extends TorporException {
    public ModelNotFound(String message) {
        super(message);
    }

    public ModelNotFound(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.MODEL_NOT_FOUND;
    }
}
