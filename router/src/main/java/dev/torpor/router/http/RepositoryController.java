package dev.torpor.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.InstanceView;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.AuditLog;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.auth.ModelAccess;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.router.model.ModelConfig;
import dev.torpor.router.model.Servable;
import dev.torpor.router.model.WarmInstances;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.PublishRequest.UploadKind;
import dev.torpor.store.PublishRequest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model repository for publishers: publish, configure, list, load, unload and delete (a version or a whole
 * model). Listings and descriptions never fail because of a stale {@code defaultVersion} pin (see
 * {@link ModelCatalog}): they show the pin as it is, so that it can be seen and repaired.
 */
@Controller("/v2/repository")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RepositoryController {
    private static final long MAX_CONFIG_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryController.class);

    private final ModelCatalog catalog;
    private final Activator activator;
    private final EdgeSettings settings;
    private final WarmInstances warm;
    private final ModelAccess access;
    private final AuditLog audit;
    /** Serialises the first publishes of one model name, so two tenants cannot both become its owner. */
    private final Object[] ownershipLocks = new Object[64];

    RepositoryController(ModelCatalog catalog, Activator activator, EdgeSettings settings, WarmInstances warm,
                         ModelAccess access, AuditLog audit) {
        this.access = access;
        this.audit = audit;
        for (int i = 0; i < ownershipLocks.length; i++) {
            ownershipLocks[i] = new Object();
        }
        this.catalog = catalog;
        this.warm = warm;
        this.activator = activator;
        this.settings = settings;
    }

    @Put("/models/{model}/versions/{version}")
    @Consumes(MediaType.ALL)
    HttpResponse<Map<String, Object>> publish(String model, String version, HttpRequest<?> request,
                                              @Body InputStream upload) {
        // Closed on every path: an upload refused before it is read (bad name, conflict, over the limit)
        // must not leave its connection waiting for a reader.
        try (upload) {
            return publishUpload(model, version, request, upload);
        } catch (java.io.IOException closeFailed) {
            throw new java.io.UncheckedIOException(closeFailed);
        }
    }

    private HttpResponse<Map<String, Object>> publishUpload(String model, String version, HttpRequest<?> request,
                                                      InputStream upload) {
        Caller caller = Callers.of(request);
        synchronized (ownershipLock(model)) {
            boolean exists = !catalog.versions(model).isEmpty();
            if (exists) {
                access.requireMayManage(caller, model);
            } else {
                Access.requireMayPublishNew(caller);
            }
            // A new version keeps the model's owner (also when an operator publishes it).
            String owner = exists ? catalog.owner(model) : caller.tenant();
            HttpResponse<Map<String, Object>> created = publishAs(owner, model, version, request, upload);
            audit.record(caller, "model.publish", model + "/" + version, created.body());
            return created;
        }
    }

    /** Serialises what changes who owns a name: its first publish, and the delete of the whole model. */
    private Object ownershipLock(String model) {
        return ownershipLocks[Math.floorMod(model.hashCode(), ownershipLocks.length)];
    }

    private HttpResponse<Map<String, Object>> publishAs(String owner, String model, String version,
                                                        HttpRequest<?> request, InputStream upload) {
        ModelId id = new ModelId(model, version);
        UploadKind kind = uploadKind(request);
        long limit = settings.maxUploadBytes();
        if (request.getContentLength() > limit) {
            throw new PayloadTooLarge("upload of " + request.getContentLength() + " bytes exceeds the "
                    + settings.uploadLimitName());
        }
        ModelManifest manifest = catalog.publish(
                new PublishRequest(id, owner, kind, limit), upload);
        return HttpResponse.created(ModelViews.version(manifest));
    }

    private static UploadKind uploadKind(HttpRequest<?> request) {
        String type = request.getContentType().map(MediaType::getName).orElse("");
        return switch (type) {
            case MediaType.APPLICATION_OCTET_STREAM -> UploadKind.ONNX_FILE;
            case "application/zip" -> UploadKind.ZIP_ARCHIVE;
            default -> throw new BadRequest("Content-Type must be application/octet-stream (a .onnx file) or"
                    + " application/zip (an archive with model.json); got '" + type + "'");
        };
    }

    @Put("/models/{model}/config")
    @Consumes(MediaType.ALL)
    Map<String, Object> configure(String model, HttpRequest<?> request, @Body InputStream body) {
        Caller caller = Callers.of(request);
        catalog.requireExists(model); // not resolve: a config with a stale pin must stay repairable
        access.requireMayManage(caller, model);
        JsonNode patch = BoundedBody.readJson(body, request.getContentLength(), MAX_CONFIG_BYTES,
                "the 1 MB limit of a config document");
        if (patch != null && patch.path("defaultVersion").isTextual()) {
            catalog.resolve(model, patch.get("defaultVersion").asText()); // 404 for a version that is not published
        }
        catalog.updateConfig(model, patch);
        warm.configChanged(model);
        audit.record(caller, "model.config", model, patch);
        return configView(model);
    }

    /** The effective config; with a stale pin, {@code memoryMb} is the config's own (null when inherited). */
    private Map<String, Object> configView(String model) {
        ModelConfig config = catalog.configs().effective(model);
        String defaultVersion = catalog.defaultVersionName(model);
        Long memoryMb = catalog.publishedDefault(model).map(current -> catalog.memoryMb(current, config))
                .orElse(config.memoryMb());
        return ModelViews.config(config, defaultVersion, memoryMb, catalog.idleTimeout(config).toSeconds());
    }

    @Get("/models")
    Map<String, Object> list(HttpRequest<?> request) {
        Caller caller = Callers.of(request);
        List<Map<String, Object>> models = new ArrayList<>();
        for (String name : catalog.names()) {
            try {
                listEntry(caller, name).ifPresent(models::add);
            } catch (RuntimeException undescribable) {
                // One model must not take the whole listing down (its config unreadable, say): it is left out.
                LOG.warn("leaving model {} out of the repository listing: {}", name, undescribable.toString());
            }
        }
        return Map.of("models", models);
    }

    private Optional<Map<String, Object>> listEntry(Caller caller, String name) {
        List<ModelManifest> versions = catalog.versions(name);
        if (versions.isEmpty() || !access.mayCall(caller, name)) {
            return Optional.empty();
        }
        List<InstanceView> instances = activator.instances(name);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", name);
        view.put("owner", catalog.owner(name));
        view.put("versions", versions.stream().map(ModelManifest::version).toList());
        view.put("defaultVersion", catalog.defaultVersionName(name));
        view.put("instances", instances.size());
        view.put("state", ModelViews.state(instances, activator.lastLoadFailure(name)));
        return Optional.of(view);
    }

    @Get("/models/{model}")
    Map<String, Object> model(HttpRequest<?> request, String model) {
        catalog.requireExists(model);
        access.requireMayCall(Callers.of(request), model);
        return modelView(model);
    }

    private Map<String, Object> modelView(String model) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", model);
        view.put("owner", catalog.owner(model));
        view.put("defaultVersion", catalog.defaultVersionName(model));
        view.put("versions", catalog.versions(model).stream().map(ModelViews::version).toList());
        view.put("config", configView(model));
        view.put("instances", activator.instances(model).stream().map(ModelViews::instance).toList());
        view.put("lastLoadFailure", activator.lastLoadFailure(model).map(ModelViews::loadFailure).orElse(null));
        return view;
    }

    /** Triton's repository index: one entry per version. */
    @Post("/index")
    @Consumes(MediaType.ALL)
    List<Map<String, Object>> index(HttpRequest<?> request) {
        Caller caller = Callers.of(request);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String name : catalog.names()) {
            if (!access.mayCall(caller, name)) {
                continue;
            }
            List<InstanceView> instances = activator.instances(name);
            var failure = activator.lastLoadFailure(name);
            for (ModelManifest manifest : catalog.versions(name)) {
                List<InstanceView> mine = instances.stream().filter(i -> i.version().equals(manifest.version())).toList();
                var myFailure = failure.filter(f -> f.version().equals(manifest.version()));
                String state = ModelViews.state(mine, myFailure);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", name);
                entry.put("version", manifest.version());
                switch (state) {
                    case "READY" -> {
                        entry.put("state", "READY");
                        entry.put("reason", "");
                    }
                    case "LOADING" -> {
                        entry.put("state", "LOADING");
                        entry.put("reason", "loading");
                    }
                    case "FAILED" -> {
                        entry.put("state", "UNAVAILABLE");
                        entry.put("reason", "load failed: " + myFailure.get().reason());
                    }
                    default -> {
                        entry.put("state", "UNAVAILABLE");
                        entry.put("reason", "scaled to zero");
                    }
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    @Post("/models/{model}/load")
    @Consumes(MediaType.ALL)
    CompletableFuture<Map<String, Object>> load(HttpRequest<?> request, String model) {
        Servable servable = catalog.servable(model, null);
        access.requireMayManage(Callers.of(request), model);
        return activator.wake(servable.manifest(), servable.artifact(), servable.policy())
                .thenApply(ready -> modelView(model));
    }

    @Post("/models/{model}/unload")
    @Consumes(MediaType.ALL)
    CompletableFuture<Map<String, Object>> unload(HttpRequest<?> request, String model) {
        catalog.requireExists(model);
        access.requireMayManage(Callers.of(request), model);
        List<CompletableFuture<Void>> drained = catalog.versions(model).stream()
                .map(manifest -> activator.scaleToZero(manifest.id())).toList();
        return CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new)).thenApply(done -> modelView(model));
    }

    /** Drains and deletes a version; a config that pinned it as its default loses the pin (audited). */
    @Delete("/models/{model}/versions/{version}")
    @Consumes(MediaType.ALL)
    HttpResponse<Void> delete(HttpRequest<?> request, String model, String version) {
        Caller caller = Callers.of(request);
        catalog.resolve(model, version);
        access.requireMayManage(caller, model);
        boolean clearedPin = catalog.delete(model, version);
        audit.record(caller, "model.delete", model + "/" + version,
                clearedPin ? Map.of("clearedDefaultVersion", version) : null);
        return HttpResponse.status(HttpStatus.NO_CONTENT);
    }

    /**
     * Drains and deletes every version of a model and its config. Under the name's ownership lock, so that no
     * publish on this router can add a version half-way or take the name over before the delete is done.
     */
    @Delete("/models/{model}")
    @Consumes(MediaType.ALL)
    HttpResponse<Void> deleteModel(HttpRequest<?> request, String model) {
        Caller caller = Callers.of(request);
        catalog.requireExists(model);
        access.requireMayManage(caller, model);
        List<String> deleted;
        synchronized (ownershipLock(model)) {
            deleted = catalog.deleteModel(model);
        }
        audit.record(caller, "model.delete", model, Map.of("versions", deleted));
        return HttpResponse.status(HttpStatus.NO_CONTENT);
    }
}
