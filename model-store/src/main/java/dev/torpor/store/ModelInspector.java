package dev.torpor.store;

import dev.torpor.error.BadInput;
import java.nio.file.Path;

/**
 * Opens a freshly uploaded model with its engine and reads its signature, so that a model no engine can
 * serve is refused at publish rather than at its first request. Implemented by the engines, below which
 * the store does not look.
 */
@FunctionalInterface
public interface ModelInspector {

    /**
     * @param artifact the model file (or, for an archive, the unpacked directory's entry point)
     * @param declared what the publisher's {@code model.json} said, or null for a bare model file
     * @return the signature the model will be served with
     * @throws BadInput when the engine refuses the model; the message says why
     */
    Signature inspect(Path artifact, ModelFormat format, ModelDescriptor declared);
}
