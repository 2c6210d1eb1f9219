package dev.torpor.router.http;

import dev.torpor.router.model.ModelCatalog;
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

    ModelMetadataController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Get
    Map<String, Object> metadata(String model) {
        return ModelViews.metadata(catalog.resolve(model, null), catalog.versions(model));
    }

    @Get("/versions/{version}")
    Map<String, Object> versionMetadata(String model, String version) {
        return ModelViews.metadata(catalog.resolve(model, version), catalog.versions(model));
    }

    @Get("/ready")
    Map<String, Object> ready(String model) {
        return readiness(model, null);
    }

    @Get("/versions/{version}/ready")
    Map<String, Object> versionReady(String model, String version) {
        return readiness(model, version);
    }

    private Map<String, Object> readiness(String model, String version) {
        catalog.resolve(model, version);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", model);
        if (version != null) {
            view.put("version", version);
        }
        view.put("ready", true);
        return view;
    }
}
