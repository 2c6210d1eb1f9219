package dev.torpor.router.http;

import dev.torpor.function.InstanceState;
import dev.torpor.router.activation.InstanceView;
import dev.torpor.router.activation.LoadFailureView;
import dev.torpor.router.model.ModelConfig;
import dev.torpor.router.model.OipPlatform;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.TensorSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The JSON shapes of API.md for models, versions, configs and instances, built in one place. */
final class ModelViews {
    private ModelViews() {
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]}: the Open Inference Protocol model metadata. */
    static Map<String, Object> metadata(ModelManifest shown, List<ModelManifest> versions) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", shown.name());
        view.put("versions", versions.stream().map(ModelManifest::version).toList());
        view.put("platform", OipPlatform.of(shown));
        view.put("inputs", tensors(shown.signature().inputs()));
        view.put("outputs", tensors(shown.signature().outputs()));
        return view;
    }

    /** One version as the repository shows it (also the 201 answer of a publish). */
    static Map<String, Object> version(ModelManifest manifest) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", manifest.name());
        view.put("version", manifest.version());
        view.put("format", manifest.format().wireName());
        view.put("platform", OipPlatform.of(manifest));
        view.put("sha256", manifest.sha256());
        view.put("sizeBytes", manifest.sizeBytes());
        view.put("publishedAt", iso(manifest.publishedAt()));
        view.put("inputs", tensors(manifest.signature().inputs()));
        view.put("outputs", tensors(manifest.signature().outputs()));
        return view;
    }

    static List<Map<String, Object>> tensors(List<TensorSpec> specs) {
        return specs.stream().map(spec -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", spec.name());
            view.put("datatype", spec.datatype().name());
            view.put("shape", spec.shape());
            return view;
        }).toList();
    }

    /**
     * The effective config with every inherited value shown as what it resolves to ({@code resolvedMemoryMb} null
     * when it cannot be resolved: a stale {@code defaultVersion} pin).
     */
    static Map<String, Object> config(ModelConfig config, String resolvedDefaultVersion, Long resolvedMemoryMb,
                                      long resolvedIdleTimeoutSeconds) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("defaultVersion", resolvedDefaultVersion);
        view.put("shared", config.shared());
        view.put("device", config.device().wireName());
        view.put("memoryMb", resolvedMemoryMb);
        view.put("minInstances", config.minInstances());
        view.put("maxInstances", config.maxInstances());
        view.put("concurrencyPerInstance", config.concurrencyPerInstance());
        view.put("idleTimeoutSeconds", resolvedIdleTimeoutSeconds);
        view.put("maxQueue", config.maxQueue());
        view.put("requestTimeoutMs", config.requestTimeoutMs());
        view.put("batching", Map.of("maxBatchSize", config.batching().maxBatchSize(),
                "maxDelayMicros", config.batching().maxDelayMicros()));
        view.put("runtime", Map.of("intraOpThreads", config.runtime().intraOpThreads(),
                "interOpThreads", config.runtime().interOpThreads()));
        return view;
    }

    static Map<String, Object> instance(InstanceView instance) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", instance.id());
        view.put("version", instance.version());
        view.put("device", instance.device());
        view.put("state", instance.state().name());
        view.put("inFlight", instance.inFlight());
        view.put("startedAt", iso(instance.startedAt()));
        view.put("idleSince", iso(instance.idleSince()));
        if (instance.host() != null) {
            view.put("host", instance.host());
        }
        return view;
    }

    static Map<String, Object> loadFailure(LoadFailureView failure) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", failure.version());
        view.put("reason", failure.reason());
        view.put("at", iso(failure.at()));
        view.put("attempts", failure.attempts());
        view.put("retryAfter", iso(failure.retryAfter()));
        return view;
    }

    /**
     * The model's state in listings: READY when an instance is READY, LOADING when one is loading, FAILED
     * when the last load failed, else SCALED_TO_ZERO.
     */
    static String state(List<InstanceView> instances, Optional<LoadFailureView> failure) {
        if (instances.stream().anyMatch(i -> i.state() == InstanceState.READY)) {
            return "READY";
        }
        if (instances.stream().anyMatch(i -> i.state() == InstanceState.LOADING)) {
            return "LOADING";
        }
        return failure.isPresent() ? "FAILED" : "SCALED_TO_ZERO";
    }

    /** API.md's timestamp form: ISO-8601 UTC to the millisecond, e.g. {@code 2026-11-30T14:59:06.123Z}. */
    static String iso(Instant instant) {
        return instant == null ? null : java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
}
