package dev.torpor.store;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory view of every published manifest, so that metadata requests never touch the disk. Reads are
 * lock-free and may run alongside a write; writes are serialised by the store, which changes the index only
 * after the matching rename on disk succeeded.
 */
final class ManifestIndex {
    private static final Comparator<ModelManifest> OLDEST_FIRST =
            Comparator.comparing(ModelManifest::publishedAt).thenComparing(ModelManifest::version);

    private final Map<String, Map<String, ModelManifest>> byName = new ConcurrentHashMap<>();

    void put(ModelManifest manifest) {
        byName.computeIfAbsent(manifest.name(), name -> new ConcurrentHashMap<>()).put(manifest.version(), manifest);
    }

    void remove(ModelId id) {
        Map<String, ModelManifest> versions = byName.get(id.name());
        if (versions != null) {
            versions.remove(id.version());
            // Only the store's serialised writers get here, so no put can slip in between these two steps.
            if (versions.isEmpty()) {
                byName.remove(id.name());
            }
        }
    }

    boolean contains(ModelId id) {
        return find(id).isPresent();
    }

    Optional<ModelManifest> find(ModelId id) {
        Map<String, ModelManifest> versions = byName.get(id.name());
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(id.version()));
    }

    List<ModelManifest> versions(String name) {
        Map<String, ModelManifest> versions = byName.get(name);
        return versions == null ? List.of() : versions.values().stream().sorted(OLDEST_FIRST).toList();
    }

    List<String> names() {
        // A reader may catch a model between its last version's removal and its own: skip it.
        return byName.entrySet().stream()
                .filter(entry -> !entry.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }
}
