package dev.torpor.pool.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Every call the launcher makes to the Kubernetes API, with the verbs of {@link PodPermissions} and nothing else, in
 * the function pods' namespace. A refusal or an unreachable API server comes back as {@link Refused}, whose message
 * names the call, the pod, the HTTP status and the server's reason (what a waiting request's 503 says), never as a
 * hang: the client's own timeouts bound each call. Thread-safe (the client is).
 */
final class PodApi {
    private final KubernetesClient client;
    private final String namespace;

    PodApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** pods create. */
    void create(Pod pod) {
        String name = pod.getMetadata().getName();
        try {
            client.pods().inNamespace(namespace).resource(pod).create();
        } catch (KubernetesClientException refused) {
            throw new Refused("create pod " + name, refused);
        }
    }

    /**
     * pods patch: relabels a warm pod as claimed, guarded by the resourceVersion it had when chosen (a JSON merge
     * patch that carries {@code metadata.resourceVersion} is refused with 409 when the pod changed since).
     *
     * @return false when the pod changed or is gone (409, 404): the caller tries another
     */
    boolean claim(String name, String resourceVersion, Map<String, String> labels, Map<String, String> annotations) {
        String patch = Serialization.asJson(Map.of("metadata", Map.of("resourceVersion", resourceVersion,
                "labels", labels, "annotations", annotations)));
        try {
            pod(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return true;
        } catch (KubernetesClientException refused) {
            if (refused.getCode() == 409 || refused.getCode() == 404) {
                return false;
            }
            throw new Refused("claim (patch) pod " + name, refused);
        }
    }

    /**
     * Claims a warm pod: {@link #claim} from {@code resourceVersion}. A 409 also comes from a change that is not a
     * claim (the kubelet writing the pod's status after the informer's last event): then the pod is read again and,
     * still warm, claimed with its new version, up to three times.
     *
     * @return false when the pod was claimed by another, is ending or is gone: the caller tries the next
     */
    boolean claimWarm(String name, String resourceVersion, Map<String, String> labels,
                      Map<String, String> annotations) {
        String version = resourceVersion;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (claim(name, version, labels, annotations)) {
                return true;
            }
            Pod now = get(name);
            if (now == null || now.getMetadata().getDeletionTimestamp() != null || now.getMetadata().getLabels() == null
                    || !PodLabels.WARM.equals(now.getMetadata().getLabels().get(PodLabels.STATE))) {
                return false;
            }
            version = now.getMetadata().getResourceVersion();
        }
        return false;
    }

    /** pods delete, at once (no grace: the router has already stopped or given up on what runs there). A pod already gone is fine. */
    void delete(String name) {
        try {
            pod(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException refused) {
            if (refused.getCode() != 404) {
                throw new Refused("delete pod " + name, refused);
            }
        }
    }

    /** pods delete by label: every pod carrying all of {@code labels} (a router's own, on start and on SIGTERM). */
    void deleteAll(Map<String, String> labels) {
        try {
            client.pods().inNamespace(namespace).withLabels(labels).withGracePeriod(0).delete();
        } catch (KubernetesClientException refused) {
            throw new Refused("delete the pods labelled " + labels, refused);
        }
    }

    /** pods list, by label. */
    List<Pod> list(Map<String, String> labels) {
        try {
            return client.pods().inNamespace(namespace).withLabels(labels).list().getItems();
        } catch (KubernetesClientException refused) {
            throw new Refused("list the pods labelled " + labels, refused);
        }
    }

    /** pods get: the pod as the API server has it now, or null when it is gone. */
    Pod get(String name) {
        try {
            return pod(name).get();
        } catch (KubernetesClientException refused) {
            throw new Refused("get pod " + name, refused);
        }
    }

    /** pods/log get: the last {@code lines} lines of the pod's container. */
    String logTail(String name, int lines) {
        try {
            return pod(name).inContainer(FunctionPods.CONTAINER).tailingLines(lines).getLog();
        } catch (KubernetesClientException refused) {
            throw new Refused("read the log of pod " + name, refused);
        }
    }

    private PodResource pod(String name) {
        return client.pods().inNamespace(namespace).withName(name);
    }

    /** The API server refused a call, or could not be reached. */
    static final class Refused extends RuntimeException {
        Refused(String call, KubernetesClientException cause) {
            super("the Kubernetes API " + (cause.getCode() > 0 ? "refused to " + call + ": " + cause.getCode()
                    + reason(cause) : "could not be reached to " + call + ": " + rootMessage(cause)), cause);
        }

        private static String reason(KubernetesClientException cause) {
            var status = cause.getStatus();
            if (status == null) {
                return "";
            }
            String reason = status.getReason() == null ? "" : " " + status.getReason();
            return reason + (status.getMessage() == null ? "" : ": " + status.getMessage());
        }

        private static String rootMessage(Throwable failure) {
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
    }
}
