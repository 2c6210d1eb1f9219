package dev.torpor.router.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The router's view of what can be served: publishes into the store (with the engine's inspection and the
 * archive's own config), resolves which version a request means, and turns a model's config into the
 * serving policy the activator applies.
 */
public final class ModelCatalog {
    /** The tenant of the bootstrap operator key, and of every model and request while auth is off. */
    public static final String DEFAULT_TENANT = "default";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DRAIN_BEFORE_DELETE = Duration.ofSeconds(60);

    private final ModelStore store;
    private final ModelInspector engines;
    private final ModelConfigs configs;
    private final Activator activator;
    private final java.util.function.Supplier<Duration> defaultIdleTimeout;
    /** What one run's outputs may take in Java arrays (TORPOR_MAX_OUTPUT_MB), handed to every session. */
    private final long maxOutputBytes;

    public ModelCatalog(ModelStore store, ModelInspector engines, ModelConfigs configs, Activator activator,
                        java.util.function.Supplier<Duration> defaultIdleTimeout, long maxOutputBytes) {
        this.maxOutputBytes = maxOutputBytes;
        this.store = store;
        this.engines = engines;
        this.configs = configs;
        this.activator = activator;
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
                                              String device) {
        if ("gpu".equals(device) && DjlBackend.usesPyTorch(format, engine)) {
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
            return store.find(id).orElseThrow(() -> versions(model).isEmpty()
                    ? notFound(model) : new ModelNotFound("model " + model + " has no version " + version));
        }
        List<ModelManifest> versions = versions(model);
        if (versions.isEmpty()) {
            throw notFound(model);
        }
        String preferred = configs.effective(model).defaultVersion();
        if (preferred == null) {
            return versions.get(versions.size() - 1);
        }
        return store.find(new ModelId(model, preferred)).orElseThrow(() -> new ModelNotFound(
                "the default version " + preferred + " of model " + model + " is not published"));
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

    public long memoryMb(ModelManifest manifest, ModelConfig config) {
        return config.memoryMb() != null ? config.memoryMb() : manifest.estimatedMemoryMb();
    }

    public Duration idleTimeout(ModelConfig config) {
        return config.idleTimeoutSeconds() != null ? Duration.ofSeconds(config.idleTimeoutSeconds()) : defaultIdleTimeout.get();
    }

    /**
     * Drains a version's instances, then deletes it and retires it from the pool (which then forgets it); the
     * model's config goes with its last version.
     *
     * @throws ModelNotFound when the version is not published
     */
    public void delete(String model, String version) {
        ModelManifest manifest = resolve(model, version);
        try {
            activator.scaleToZero(manifest.id()).get(DRAIN_BEFORE_DELETE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception drainFailed) {
            throw new IllegalStateException("could not drain " + manifest.id() + " before deleting it: " + drainFailed,
                    drainFailed);
        }
        store.delete(manifest.id());
        // A request that arrived during the drain may have woken an instance: it goes too, and once it has
        // stopped the pool forgets the version.
        activator.retire(manifest.id());
        if (versions(model).isEmpty()) {
            configs.delete(model);
        }
    }
}
