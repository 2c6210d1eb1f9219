package dev.torpor.router.model;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.torpor.router.activation.Activator;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.ModelStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deletes versions and whole models: drains their instances, deletes them from the store (which keeps their
 * numbers as tombstones), and keeps the model's config consistent: a config that pins a deleted version as its
 * {@code defaultVersion} loses the pin, and the config goes with the model's last version. Thread-safe as its
 * parts are; two deletes of one version race harmlessly (the second finds nothing to delete).
 */
final class ModelRemoval {
    private static final Duration DRAIN_BEFORE_DELETE = Duration.ofSeconds(60);

    private final ModelStore store;
    private final ModelConfigs configs;
    private final Activator activator;

    ModelRemoval(ModelStore store, ModelConfigs configs, Activator activator) {
        this.store = store;
        this.configs = configs;
        this.activator = activator;
    }

    /** Deletes one version; answers whether its model's pin on it was cleared. */
    boolean deleteVersion(ModelManifest manifest) {
        drain(List.of(manifest));
        return forget(manifest);
    }

    /**
     * Deletes every version of a model, all drained first; its config goes with the last one. (A version that
     * another router publishes meanwhile survives, and the config with it.)
     */
    void deleteModel(List<ModelManifest> versions) {
        drain(versions);
        versions.forEach(this::forget);
    }

    /** Drains in parallel, then waits: a model with many versions waits once, not once per version. */
    private void drain(List<ModelManifest> versions) {
        CompletableFuture<?>[] drains = versions.stream().map(version -> activator.scaleToZero(version.id()))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(drains).get(DRAIN_BEFORE_DELETE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception drainFailed) {
            throw new IllegalStateException("could not drain " + versions.stream().map(ModelManifest::id).toList()
                    + " before deleting: " + drainFailed, drainFailed);
        }
    }

    private boolean forget(ModelManifest manifest) {
        ModelId id = manifest.id();
        store.delete(id);
        // A request that arrived during the drain may have woken an instance: it goes too, and once it has
        // stopped the pool forgets the version (no gate outlives its version).
        activator.retire(id);
        String model = id.name();
        if (store.versions(model).isEmpty()) {
            configs.delete(model);
            return false;
        }
        if (id.version().equals(configs.effective(model).defaultVersion())) {
            configs.update(model, JsonNodeFactory.instance.objectNode().putNull("defaultVersion"));
            return true;
        }
        return false;
    }
}
