package dev.torpor.error;

/** The engine failed for a reason that is not the input's fault. */
public final class EngineFailure extends TorporException {
    public EngineFailure(String message) {
        super(message);
    }

    public EngineFailure(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.ENGINE_FAILURE;
    }
}
