package dev.torpor.router.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.pool.DevicePreference;
import dev.torpor.error.BadRequest;
import dev.torpor.error.ModelNotFound;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.djl.DjlBackend;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.ServingPolicy;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelInspector;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.ModelStore;
import dev.torpor.store.PublishRequest;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The router's view of what can be served: publishes into the store (with the engine's inspection and the
 * archive's own config), resolves which version a request means, and turns a model's config into the
 * serving policy the activator applies. {@link #servable} is the one place that puts a manifest, its artifact
 * and its policy together; deletes go through {@link ModelRemoval}.
 *
 * <p><b>The pin rule.</b> A config's {@code defaultVersion} names a published version when it is set (a PUT is
 * refused otherwise), and deleting that version clears it. A stale pin can still be met (a config read by another
 * router before the delete, or written by an older release): requests for the default version are then 404
 * naming it, while descriptions, listings and the config itself keep working, so the pin can be repaired.
 */
public final class ModelCatalog {
    /** The tenant of the bootstrap operator key, and of every model and request while auth is off. */
    public static final String DEFAULT_TENANT = "default";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelStore store;
    private final ModelInspector engines;
    private final ModelConfigs configs;
    private final ModelRemoval removal;
    private final java.util.function.Supplier<Duration> defaultIdleTimeout;
    /** What one run's outputs may take in Java arrays (TORPOR_MAX_OUTPUT_MB), handed to every session. */
    private final long maxOutputBytes;

    public ModelCatalog(ModelStore store, ModelInspector engines, ModelConfigs configs, Activator activator,
                        java.util.function.Supplier<Duration> defaultIdleTimeout, long maxOutputBytes) {
        this.maxOutputBytes = maxOutputBytes;
        this.store = store;
        this.engines = engines;
        this.configs = configs;
        this.removal = new ModelRemoval(store, configs, activator);
        this.defaultIdleTimeout = defaultIdleTimeout;
    }

    /**
     * Publishes a version. An archive's {@code model.json} may carry a {@code config}: it is validated before
     * the version becomes visible and merged into the model's config after.
     */
    public ModelManifest publish(PublishRequest request, InputStream upload) {
        AtomicReference<JsonNode> declaredConfig = new AtomicReference<>();
        String model = request.id().name();
        ModelInspector inspectThenCheckConfig = (artifact, format, declared) -> {
            JsonNode config = parseConfig(declared);
            ModelConfig effective = config == null ? configs.effective(model)
                    : configs.document(model).merge(config).resolve(); // refuse a bad config before the commit
            requireServableDevice(model, request.id().version(), format, declared == null ? null : declared.engine(),
                    effective.device());
            var signature = engines.inspect(artifact, format, declared);
            if (config != null) {
                declaredConfig.set(config);
            }
            return signature;
        };
        ModelManifest manifest = store.publish(request, upload, inspectThenCheckConfig);
        if (declaredConfig.get() != null) {
            configs.update(model, declaredConfig.get());
        }
        return manifest;
    }

    /**
     * Merges a patch into a model's config, after checking that every published version can run on the
     * resulting device.
     *
     * @throws BadRequest naming the field, or the version that cannot run on the requested device
     */
    public ModelConfig updateConfig(String model, JsonNode patch) {
        ModelConfig merged = configs.document(model).merge(patch).resolve();
        for (ModelManifest version : versions(model)) {
            requireServableDevice(model, version.version(), version.format(), version.engine(), merged.device());
        }
        return configs.update(model, patch);
    }

    /** PyTorch through DJL is CPU-only in this build: refuse {@code device: gpu} for such a model at config time. */
    private static void requireServableDevice(String model, String version, ModelFormat format, String engine,
                                              DevicePreference device) {
        if (device == DevicePreference.GPU && DjlBackend.usesPyTorch(format, engine)) {
            throw new BadRequest("device 'gpu' cannot serve " + model + " version " + version + ": it is a "
                    + format.wireName() + " model on PyTorch (DJL), which Torpor runs on the CPU only (DJL's CUDA "
                    + "build of PyTorch is not available from the package registry); use \"cpu\" or \"any\"");
        }
    }

    private static JsonNode parseConfig(ModelDescriptor declared) {
        if (declared == null || declared.configJson() == null) {
            return null;
        }
        try {
            return JSON.readTree(declared.configJson());
        } catch (Exception malformed) {
            throw new BadRequest("model.json: config is not valid JSON: " + malformed.getMessage());
        }
    }

    /**
     * The version a request means: the one it names, else the config's {@code defaultVersion}, else the most
     * recently published one.
     *
     * @throws ModelNotFound when the model or version is not published
     */
    public ModelManifest resolve(String model, String version) {
        ModelId.requireValidName(model, "model name");
        if (version != null) {
            ModelId id = new ModelId(model, version);
            return store.find(id).orElseThrow(() -> versions(model).isEmpty() ? notFound(model)
                    : new ModelNotFound("model " + model + " has no version " + version
                            + (store.deleted(id) ? " (it was deleted)" : "")));
        }
        List<ModelManifest> versions = requireExists(model);
        String preferred = configs.effective(model).defaultVersion();
        if (preferred == null) {
            return versions.get(versions.size() - 1);
        }
        return store.find(new ModelId(model, preferred)).orElseThrow(() -> new ModelNotFound(
                "the default version " + preferred + " of model " + model + " is not published; set the model's"
                        + " defaultVersion to a published version, or to null for the latest"));
    }

    /**
     * A version with its artifact and its serving policy, resolved as {@link #resolve} does: what a request, a
     * load or a warm-up hands to the activator.
     *
     * @throws ModelNotFound when the model or version is not published
     */
    public Servable servable(String model, String version) {
        ModelManifest manifest = resolve(model, version);
        return new Servable(manifest, store.artifact(manifest), policy(manifest));
    }

    /**
     * The model's versions, oldest first; never empty.
     *
     * @throws dev.torpor.error.BadRequest for an invalid name
     * @throws ModelNotFound               when the model has no version
     */
    public List<ModelManifest> requireExists(String model) {
        ModelId.requireValidName(model, "model name");
        List<ModelManifest> versions = versions(model);
        if (versions.isEmpty()) {
            throw notFound(model);
        }
        return versions;
    }

    /**
     * The version a description shows as the default, without failing: the config's pin as it is (also a stale
     * one, so that it can be seen and repaired), else the latest version; null for an unknown model.
     */
    public String defaultVersionName(String model) {
        String pinned = configs.effective(model).defaultVersion();
        if (pinned != null) {
            return pinned;
        }
        List<ModelManifest> versions = versions(model);
        return versions.isEmpty() ? null : versions.get(versions.size() - 1).version();
    }

    /** The manifest of {@link #defaultVersionName}, when that version is published (empty for a stale pin). */
    public Optional<ModelManifest> publishedDefault(String model) {
        String version = defaultVersionName(model);
        return version == null ? Optional.empty() : store.find(new ModelId(model, version));
    }

    private static ModelNotFound notFound(String model) {
        return new ModelNotFound("unknown model " + model);
    }

    /** Every version of a model, oldest first; empty when unknown. */
    public List<ModelManifest> versions(String model) {
        return store.versions(model);
    }

    public List<String> names() {
        return store.names();
    }

    /** The model's owner tenant: the owner of its first version. */
    public String owner(String model) {
        List<ModelManifest> versions = versions(model);
        return versions.isEmpty() ? DEFAULT_TENANT : versions.get(0).owner();
    }

    public ModelStore store() {
        return store;
    }

    public ModelConfigs configs() {
        return configs;
    }

    /** The policy the activator applies to a version, from its model's effective config. */
    public ServingPolicy policy(ModelManifest manifest) {
        ModelConfig config = configs.effective(manifest.name());
        return new ServingPolicy(config.device(), memoryMb(manifest, config), config.minInstances(),
                config.maxInstances(), config.concurrencyPerInstance(), idleTimeout(config), config.maxQueue(),
                Duration.ofMillis(config.requestTimeoutMs()),
                new RuntimeOptions(config.runtime().intraOpThreads(), config.runtime().interOpThreads())
                        .withMaxOutputBytes(maxOutputBytes),
                new dev.torpor.function.Batching(config.batching().maxBatchSize(), config.batching().maxDelayMicros()));
    }

    /** The memory an instance of the version is given: the config's {@code memoryMb}, else the estimate. */
    public long memoryMb(ModelManifest manifest, ModelConfig config) {
        return config.memoryMb() != null ? config.memoryMb() : manifest.estimatedMemoryMb();
    }

    public Duration idleTimeout(ModelConfig config) {
        return config.idleTimeoutSeconds() != null ? Duration.ofSeconds(config.idleTimeoutSeconds()) : defaultIdleTimeout.get();
    }

    /**
     * Drains a version's instances, then deletes it; its number stays used. The model's config goes with its last
     * version, and loses its {@code defaultVersion} when it pinned this one.
     *
     * @return whether the config's pin on this version was cleared
     * @throws ModelNotFound when the version is not published
     */
    public boolean delete(String model, String version) {
        return removal.deleteVersion(resolve(model, version));
    }

    /**
     * Drains every instance of a model, then deletes all its versions and its config; the version numbers stay
     * used (a later publish under the name starts a new model, whose versions must use other numbers).
     *
     * @return the deleted versions, oldest first
     * @throws ModelNotFound when the model has no version
     */
    public List<String> deleteModel(String model) {
        List<ModelManifest> versions = requireExists(model);
        removal.deleteModel(versions);
        return versions.stream().map(ModelManifest::version).toList();
    }
}
