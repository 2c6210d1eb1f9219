package dev.torpor.router.model;

import dev.torpor.router.activation.ServingPolicy;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the activator needs to serve one version, resolved together by {@link ModelCatalog#servable}: the
 * manifest, the artifact an engine opens, and the serving policy from the model's effective config at that
 * moment. Immutable; a config changed later reaches the next {@code servable} call.
 *
 * @param artifact the model file inside the version's directory in the store
 */
public record Servable(ModelManifest manifest, Path artifact, ServingPolicy policy) {
    public Servable {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(policy, "policy");
    }
}
