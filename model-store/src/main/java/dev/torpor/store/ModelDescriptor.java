package dev.torpor.store;

/**
 * What a publisher declares in an archive's {@code model.json}: the format and engine, the entry-point
 * file, and the signature where the engine cannot introspect it (TorchScript). {@code signature} may be
 * null for formats whose engine reads it from the model. {@code configJson} is the raw {@code config}
 * object, if any, left for the router to validate and apply.
 */
public record ModelDescriptor(ModelFormat format, String engine, String file, Signature signature,
                              String configJson) {
}
