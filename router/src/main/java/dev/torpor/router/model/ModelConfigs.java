package dev.torpor.router.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Model configs with a read-through cache: every infer request reads its model's config, so reads must not
 * touch the database (and the cached document resolves itself once). Writes go to the database first, then
 * replace the cached value. When several routers share a database, a change made by another router reaches
 * this one on restart.
 */
public final class ModelConfigs {
    private final ModelConfigRepository repository;
    private final ConcurrentMap<String, ModelConfigDocument> cache = new ConcurrentHashMap<>();

    public ModelConfigs(ModelConfigRepository repository) {
        this.repository = repository;
    }

    /** The stored document of a model; empty (all defaults) when it has none. */
    public ModelConfigDocument document(String model) {
        return cache.computeIfAbsent(model, name -> repository.find(name).orElse(ModelConfigDocument.empty()));
    }

    /** The effective config, defaults overlaid. */
    public ModelConfig effective(String model) {
        return document(model).resolve();
    }

    /**
     * Merges a patch, validates the result and persists it.
     *
     * @throws dev.torpor.error.BadRequest naming the field when the patch or the result is invalid
     */
    public synchronized ModelConfig update(String model, JsonNode patch) {
        ModelConfigDocument merged = document(model).merge(patch);
        ModelConfig effective = merged.resolve();
        repository.save(model, merged);
        cache.put(model, merged);
        return effective;
    }

    /** Forgets a model's config, when its last version is deleted. */
    public synchronized void delete(String model) {
        repository.delete(model);
        cache.remove(model);
    }
}
