package dev.torpor.function;

import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelInspector;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;

/**
 * The SPI every engine implements: inspect a model at publish, open sessions on it at load.
 * Implementations are thread-safe and hold no per-model state; a {@link Session} does.
 */
public interface Backend extends ModelInspector {

    /** A short name for logs and errors ("onnxruntime", "djl"). */
    String name();

    /** Whether this backend serves a model stored in {@code format} with the named engine (may be null). */
    boolean supports(ModelFormat format, String engine);

    /**
     * Opens a session on a published model: the engine's native state is created here and freed by
     * {@link Session#close()}.
     *
     * @param artifact the model file named by the manifest
     * @throws dev.torpor.error.ModelLoadFailed if the engine cannot open it
     */
    Session open(ModelManifest manifest, Path artifact, RuntimeOptions options);
}
