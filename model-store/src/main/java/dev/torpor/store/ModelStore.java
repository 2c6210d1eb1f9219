package dev.torpor.store;

import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.VersionConflict;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The versioned, immutable home of model artifacts. Implementations are thread-safe. A publish is
 * all-or-nothing: until it returns, readers see no trace of the version, and a failed or interrupted
 * publish leaves nothing behind.
 */
public interface ModelStore {

    /**
     * Reads the upload, checks it, lets the engine inspect it and makes the version visible atomically.
     *
     * @throws VersionConflict  the version exists, or existed and was deleted (checked before reading and again
     *                          when committing)
     * @throws PayloadTooLarge  the upload passed {@link PublishRequest#maxBytes()}
     * @throws BadRequest       an unreadable upload or archive (bad zip, unsafe entry, bad model.json)
     * @throws BadInput         the engine refused the model
     */
    ModelManifest publish(PublishRequest request, InputStream upload, ModelInspector inspector);

    /** The manifest of one version, if it is published. */
    Optional<ModelManifest> find(ModelId id);

    /** Every published version of a model, oldest first; empty when the model is unknown. */
    List<ModelManifest> versions(String name);

    /** The names of every model with at least one version, sorted. */
    List<String> names();

    /** The model file an engine opens for this version (inside the version's directory). */
    Path artifact(ModelManifest manifest);

    /**
     * Removes a version; true if it existed. The caller drains its instances first. The version's number stays
     * used: publishing it again is a {@link VersionConflict} (see {@link #deleted}).
     */
    boolean delete(ModelId id);

    /** Whether this version was published once and deleted since: its number cannot be published again. */
    boolean deleted(ModelId id);
}
