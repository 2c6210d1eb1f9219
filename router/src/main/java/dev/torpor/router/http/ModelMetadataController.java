package dev.torpor.router.http;

import dev.torpor.router.auth.ModelAccess;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.store.ModelManifest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model metadata and readiness from the stored manifests: never wakes a model. A model at zero instances
 * is ready — the next request wakes it.
 */
@Controller("/v2/models/{model}")
public class ModelMetadataController {
    private final ModelCatalog catalog;
    private final ModelAccess access;

    ModelMetadataController(ModelCatalog catalog, ModelAccess access) {
        this.catalog = catalog;
        this.access = access;
    }

    @Get
    Map<String, Object> metadata(HttpRequest<?> request, String model) {
        return ModelViews.metadata(resolve(request, model, null), catalog.versions(model));
    }

    @Get("/versions/{version}")
    Map<String, Object> versionMetadata(HttpRequest<?> request, String model, String version) {
        return ModelViews.metadata(resolve(request, model, version), catalog.versions(model));
    }

    @Get("/ready")
    Map<String, Object> ready(HttpRequest<?> request, String model) {
        return readiness(request, model, null);
    }

    @Get("/versions/{version}/ready")
    Map<String, Object> versionReady(HttpRequest<?> request, String model, String version) {
        return readiness(request, model, version);
    }

    /** 404 for an unknown model or version, then 403 for a caller that may not call it. */
    private ModelManifest resolve(HttpRequest<?> request, String model, String version) {
        ModelManifest manifest = catalog.resolve(model, version);
        access.requireMayCall(Callers.of(request), model);
        return manifest;
    }

    private Map<String, Object> readiness(HttpRequest<?> request, String model, String version) {
        resolve(request, model, version);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", model);
        if (version != null) {
            view.put("version", version);
        }
        view.put("ready", true);
        return view;
    }
}
