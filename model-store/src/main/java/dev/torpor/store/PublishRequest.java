package dev.torpor.store;

import java.util.Objects;

/**
 * One publish: which version, for which owner tenant, what kind of upload, and the most bytes to accept.
 */
public record PublishRequest(ModelId id, String owner, UploadKind kind, long maxBytes) {

    /** What the body of a publish is. */
    public enum UploadKind {
        /** A bare {@code .onnx} file ({@code application/octet-stream}). */
        ONNX_FILE,
        /** A zip archive with the model files and a {@code model.json} ({@code application/zip}). */
        ZIP_ARCHIVE
    }

    public PublishRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
    }
}
