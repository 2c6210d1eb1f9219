package dev.torpor.pool.k8s;

import dev.torpor.pool.LaunchSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What a warm pod is sent ahead of a claim: the models most recently started here, newest first, at most
 * {@code maxModels} of them and {@code maxBytes} of model files together (older ones drop out). The caller offers only
 * models a warm pod fits. Thread-safe.
 */
final class StagedModels {
    private final int maxModels;
    private final long maxBytes;
    /** By model id, least recently started first. */
    private final LinkedHashMap<String, LaunchSpec> recent = new LinkedHashMap<>();

    StagedModels(int maxModels, long maxBytes) {
        this.maxModels = maxModels;
        this.maxBytes = maxBytes;
    }

    /** {@code spec}'s model was started: it becomes the newest, and the oldest beyond the bounds drop out. */
    synchronized void started(LaunchSpec spec) {
        String id = String.valueOf(spec.manifest().id());
        recent.remove(id);
        recent.put(id, spec);
        long bytes = 0;
        int kept = 0;
        for (LaunchSpec newer : newestFirst()) {
            bytes += newer.manifest().sizeBytes();
            kept++;
            if (kept > maxModels || bytes > maxBytes) {
                recent.remove(String.valueOf(newer.manifest().id()));
            }
        }
    }

    /** The models to stage, newest first. */
    synchronized List<LaunchSpec> newestFirst() {
        List<LaunchSpec> specs = new ArrayList<>(recent.values());
        Collections.reverse(specs);
        return specs;
    }
}
