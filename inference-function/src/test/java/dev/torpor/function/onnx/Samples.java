package dev.torpor.function.onnx;

import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Writes hand-built models and the manifests that open them (the cached samples: {@code SampleModels}). */
final class Samples {
    private Samples() {
    }

    static Path write(Path dir, String file, byte[] model) {
        try {
            return Files.write(dir.resolve(file), model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A manifest good enough for {@code open}; only the format, engine and name matter to the backend. */
    static ModelManifest manifest(String name, Path artifact) {
        return new ModelManifest(name, "1", "default", ModelFormat.ONNX, null, artifact.getFileName().toString(),
                "0".repeat(64), 0, Instant.EPOCH, new Signature(List.of(), List.of()), 64);
    }
}
