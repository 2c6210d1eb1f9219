package dev.torpor.pool.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code kubernetes} launcher's settings (API.md, "Function pods on Kubernetes"). Immutable; the router binds
 * and validates them from its {@code TORPOR_K8S_*} variables.
 *
 * @param namespace          namespace of function pods
 * @param image              image of function pods
 * @param warmPods           model-less pods kept Ready (or starting) for cold starts; 0 disables them
 * @param warmPodMemoryMb    memory a warm pod is sized for: a model that needs more gets its own pod
 * @param overheadMb         memory a pod may use beyond its model's (the JVM's and engine's own)
 * @param podStartTimeout    a pod not Ready this long after its creation fails its waiting requests, and is deleted
 * @param connectTimeout     to connect to a Ready pod and get its HELLO, and for each model file's answer
 * @param nodeSelector       added to every pod's node selector
 * @param gpuNodeSelector    added to GPU pods' node selector
 * @param tolerations        added to every pod
 * @param routerId           this router's id, as a label value (see {@link PodLabels#labelValue})
 * @param owner              the router's own pod, when it runs in the cluster: every function pod names it as owner,
 *                           so Kubernetes collects them if the router's pod goes
 * @param jvmOptions         extra JVM options of function pods
 * @param optimizedModels    the router's optimized-model cache, from which pods with the router's CPU get the ORT-format
 *                           graph of their model ({@link dev.torpor.pool.process.OptimizedModels}); empty: none
 */
public record KubernetesSettings(String namespace, String image, int warmPods, long warmPodMemoryMb, long overheadMb,
                                 Duration podStartTimeout, Duration connectTimeout, Map<String, String> nodeSelector,
                                 Map<String, String> gpuNodeSelector, List<Toleration> tolerations, String routerId,
                                 Optional<OwnerReference> owner, List<String> jvmOptions,
                                 Optional<java.nio.file.Path> optimizedModels) {

    /** The port every function pod listens on (API.md: {@code containerPort: 9000}, name {@code torpor}). */
    public static final int FUNCTION_PORT = 9000;

    public KubernetesSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(podStartTimeout, "podStartTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(optimizedModels, "optimizedModels");
        if (warmPods < 0) {
            throw new IllegalArgumentException("TORPOR_K8S_WARM_PODS must not be negative, got " + warmPods);
        }
        if (warmPodMemoryMb < 64) {
            throw new IllegalArgumentException("TORPOR_K8S_WARM_POD_MEMORY_MB must be at least 64, got "
                    + warmPodMemoryMb);
        }
        if (overheadMb < 0) {
            throw new IllegalArgumentException("the pod memory overhead must not be negative, got " + overheadMb);
        }
        if (podStartTimeout.isZero() || podStartTimeout.isNegative()) {
            throw new IllegalArgumentException("TORPOR_K8S_POD_START_TIMEOUT_SECONDS must be at least 1");
        }
        if (namespace.isBlank() || image.isBlank()) {
            throw new IllegalArgumentException("the namespace and image of function pods must not be blank");
        }
        routerId = PodLabels.labelValue(routerId);
        nodeSelector = Map.copyOf(nodeSelector);
        gpuNodeSelector = Map.copyOf(gpuNodeSelector);
        tolerations = List.copyOf(tolerations);
        jvmOptions = List.copyOf(jvmOptions);
    }
}
