package dev.torpor.router;

import static dev.torpor.router.config.SettingChecks.atLeast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.pool.k8s.KubernetesSettings;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kubernetes launcher's settings ({@code torpor.k8s.*}, used only when TORPOR_LAUNCHER is {@code kubernetes}; API.md,
 * "Function pods on Kubernetes"), bound from {@code application.yml} and validated here with messages naming each
 * variable: the JSON of the node selectors and tolerations is checked at start-up, not when the first pod is made.
 * Immutable.
 *
 * @param namespace              TORPOR_K8S_NAMESPACE; empty: the router's own, else the client's, else {@code default}
 * @param image                  TORPOR_K8S_IMAGE; empty: {@code torpor:<project version>}
 * @param warmPods               TORPOR_K8S_WARM_PODS
 * @param warmPodMemoryMb        TORPOR_K8S_WARM_POD_MEMORY_MB
 * @param podStartTimeoutSeconds TORPOR_K8S_POD_START_TIMEOUT_SECONDS
 * @param nodeSelector           TORPOR_K8S_NODE_SELECTOR, a JSON object of strings
 * @param gpuNodeSelector        TORPOR_K8S_GPU_NODE_SELECTOR, a JSON object of strings
 * @param tolerations            TORPOR_K8S_TOLERATIONS, a JSON array of tolerations
 * @param routerId               TORPOR_ROUTER_ID; empty: the host name
 * @param podName                POD_NAME, the router's own pod (downward API), when it runs in the cluster
 * @param podUid                 POD_UID, that pod's uid
 */
@ConfigurationProperties("torpor.k8s")
public record KubernetesPodSettings(
        @Nullable String namespace,
        @Nullable String image,
        int warmPods,
        long warmPodMemoryMb,
        long podStartTimeoutSeconds,
        @Nullable String nodeSelector,
        @Nullable String gpuNodeSelector,
        @Nullable String tolerations,
        @Nullable String routerId,
        @Nullable String podName,
        @Nullable String podUid) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOLERATION_FIELDS = Set.of("key", "operator", "value", "effect",
            "tolerationSeconds");

    public KubernetesPodSettings {
        atLeast("TORPOR_K8S_WARM_PODS", warmPods, 0);
        atLeast("TORPOR_K8S_WARM_POD_MEMORY_MB", warmPodMemoryMb, 64);
        atLeast("TORPOR_K8S_POD_START_TIMEOUT_SECONDS", podStartTimeoutSeconds, 1);
        namespace = blankToNull(namespace);
        image = blankToNull(image);
        routerId = blankToNull(routerId);
        podName = blankToNull(podName);
        podUid = blankToNull(podUid);
        stringMap("TORPOR_K8S_NODE_SELECTOR", nodeSelector);
        stringMap("TORPOR_K8S_GPU_NODE_SELECTOR", gpuNodeSelector);
        tolerations("TORPOR_K8S_TOLERATIONS", tolerations);
        if ((podName == null) != (podUid == null)) {
            throw new IllegalArgumentException("POD_NAME and POD_UID (the router's own pod, from the downward API)"
                    + " must be set together");
        }
    }

    /**
     * The launcher's settings.
     *
     * @param clientNamespace the Kubernetes client's namespace (from the service-account file in a cluster, else
     *                        KUBERNETES_NAMESPACE or the kubeconfig), null when it has none
     * @param overheadMb      memory a pod may use beyond its model's (TORPOR_PROCESS_OVERHEAD_MB, as for processes)
     */
    public KubernetesSettings toLauncherSettings(@Nullable String clientNamespace, long overheadMb) {
        return toLauncherSettings(clientNamespace, overheadMb, null);
    }

    /** As above, with the router's optimized-model cache ({@code null}: none) for pods on a CPU like the router's. */
    public KubernetesSettings toLauncherSettings(@Nullable String clientNamespace, long overheadMb,
                                                 @Nullable java.nio.file.Path optimizedModels) {
        String chosenNamespace = namespace != null ? namespace : clientNamespace != null ? clientNamespace : "default";
        Optional<OwnerReference> owner = podName == null ? Optional.empty() : Optional.of(new OwnerReferenceBuilder()
                .withApiVersion("v1").withKind("Pod").withName(podName).withUid(podUid).build());
        return new KubernetesSettings(chosenNamespace, image != null ? image : "torpor:" + projectVersion(), warmPods,
                warmPodMemoryMb, overheadMb, Duration.ofSeconds(podStartTimeoutSeconds), Duration.ofSeconds(30),
                stringMap("TORPOR_K8S_NODE_SELECTOR", nodeSelector),
                stringMap("TORPOR_K8S_GPU_NODE_SELECTOR", gpuNodeSelector),
                tolerations("TORPOR_K8S_TOLERATIONS", tolerations), routerId != null ? routerId : hostName(), owner,
                List.of(), Optional.ofNullable(optimizedModels));
    }

    /** The version of the jar (its manifest), as the image the project builds is tagged. */
    static String projectVersion() {
        String version = KubernetesPodSettings.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException unknown) {
            return "torpor";
        }
    }

    private static Map<String, String> stringMap(String variable, @Nullable String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        JsonNode node = parse(variable, json);
        if (!node.isObject()) {
            throw new IllegalArgumentException(variable + " must be a JSON object of strings, e.g. "
                    + "{\"pool\":\"functions\"}; got " + node.getNodeType());
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException(variable + ": the value of '" + field.getKey()
                        + "' must be a string");
            }
            map.put(field.getKey(), field.getValue().asText());
        }
        return map;
    }

    private static List<Toleration> tolerations(String variable, @Nullable String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        JsonNode node = parse(variable, json);
        if (!node.isArray()) {
            throw new IllegalArgumentException(variable + " must be a JSON array of tolerations, e.g. "
                    + "[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
        }
        List<Toleration> tolerations = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isObject()) {
                throw new IllegalArgumentException(variable + ": each toleration must be a JSON object");
            }
            item.fieldNames().forEachRemaining(field -> {
                if (!TOLERATION_FIELDS.contains(field)) {
                    throw new IllegalArgumentException(variable + ": unknown toleration field '" + field
                            + "' (known: key, operator, value, effect, tolerationSeconds)");
                }
            });
            JsonNode seconds = item.get("tolerationSeconds");
            if (seconds != null && !seconds.canConvertToLong()) {
                throw new IllegalArgumentException(variable + ": tolerationSeconds must be a whole number");
            }
            tolerations.add(new TolerationBuilder().withKey(text(item, "key")).withOperator(text(item, "operator"))
                    .withValue(text(item, "value")).withEffect(text(item, "effect"))
                    .withTolerationSeconds(seconds == null ? null : seconds.asLong()).build());
        }
        return tolerations;
    }

    private static String text(JsonNode item, String field) {
        JsonNode value = item.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static JsonNode parse(String variable, String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException malformed) {
            throw new IllegalArgumentException(variable + " is not valid JSON: " + malformed.getOriginalMessage());
        }
    }

    private static String blankToNull(@Nullable String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
