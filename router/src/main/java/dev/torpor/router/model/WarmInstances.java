package dev.torpor.router.model;

import dev.torpor.error.ModelNotFound;
import dev.torpor.router.activation.Activator;
import dev.torpor.store.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies config changes to running models, and keeps models with {@code minInstances > 0} warm: wakes them at start-up and when their config asks for it,
 * in the background, so neither start-up nor the config request waits for a load. (This release runs one
 * instance per model version; the reaper never takes a model below its {@code minInstances}.)
 */
public final class WarmInstances {
    private static final Logger LOG = LoggerFactory.getLogger(WarmInstances.class);

    private final ModelCatalog catalog;
    private final Activator activator;

    public WarmInstances(ModelCatalog catalog, Activator activator) {
        this.catalog = catalog;
        this.activator = activator;
    }

    /** Wakes every model whose config keeps instances warm. */
    public void wakeAll() {
        catalog.names().forEach(this::wakeIfWanted);
    }

    /** Applies a model's changed config to its live versions, then wakes it if the config keeps instances warm. */
    public void configChanged(String model) {
        catalog.versions(model).forEach(manifest -> activator.updatePolicy(manifest.id(), catalog.policy(manifest)));
        wakeIfWanted(model);
    }

    /** Pushes every model's policy to its live versions again (the pool's default idle timeout changed). */
    public void policiesChanged() {
        catalog.names().forEach(model -> catalog.versions(model)
                .forEach(manifest -> activator.updatePolicy(manifest.id(), catalog.policy(manifest))));
    }

    /**
     * Wakes the model's default version if its config keeps instances warm. A default version that cannot be
     * served (a stale pin) is logged, not thrown: neither start-up nor a config change fails on it.
     */
    public void wakeIfWanted(String model) {
        if (catalog.configs().effective(model).minInstances() < 1 || catalog.versions(model).isEmpty()) {
            return;
        }
        Servable servable;
        try {
            servable = catalog.servable(model, null);
        } catch (ModelNotFound stalePin) {
            LOG.warn("cannot keep {} warm: {}", model, stalePin.getMessage());
            return;
        }
        ModelManifest manifest = servable.manifest();
        activator.wake(manifest, servable.artifact(), servable.policy())
                .whenComplete((ready, failure) -> {
                    if (failure != null) {
                        LOG.warn("could not keep {} warm: {}", manifest.id(), Activator.unwrap(failure).getMessage());
                    } else {
                        LOG.info("{} is warm (minInstances {})", manifest.id(),
                                catalog.configs().effective(model).minInstances());
                    }
                });
    }
}
