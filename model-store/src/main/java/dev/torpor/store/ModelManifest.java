package dev.torpor.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What the store knows of one published, immutable model version: written once at publish, never changed.
 *
 * @param owner         tenant of the publisher ({@code default} while keys are off); the model's owner is
 *                      the owner of its first version
 * @param file          the artifact's file name inside the version's directory (the model file for ONNX,
 *                      the entry point named by {@code model.json} for an archive)
 * @param sha256        hex digest of the uploaded bytes, exactly as received
 * @param sizeBytes     size of the uploaded bytes
 * @param estimatedMemoryMb memory an instance is expected to need, by {@link MemoryEstimate}
 * @param engine        the engine named by {@code model.json} ("OnnxRuntime", "PyTorch"), or null for the
 *                      format's default engine
 */
public record ModelManifest(
        String name,
        String version,
        String owner,
        ModelFormat format,
        String engine,
        String file,
        String sha256,
        long sizeBytes,
        Instant publishedAt,
        Signature signature,
        long estimatedMemoryMb) {

    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(signature, "signature");
    }

    public ModelId id() {
        return new ModelId(name, version);
    }
}
