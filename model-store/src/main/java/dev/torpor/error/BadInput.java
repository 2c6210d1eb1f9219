package dev.torpor.error;

/** Well-formed input that does not fit the model (unknown or missing input, wrong datatype or shape), or a model the engine refuses at publish. */
public final class BadInput extends TorporException {
    public BadInput(String message) {
        super(message);
    }

    public BadInput(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.BAD_INPUT;
    }
}
