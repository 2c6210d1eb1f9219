package dev.torpor.pool.k8s;

import dev.torpor.function.host.FunctionHost;
import dev.torpor.pool.LaunchSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes function pods to API.md's pod contract: one container {@code function} whose command is {@code java …
 * -cp /opt/torpor/torpor.jar dev.torpor.function.host.FunctionHost [options] --listen} (no shell, no other file of the
 * image), env {@code POD_IP} from the downward API and the pod's own {@code TORPOR_FUNCTION_TOKEN}, port 9000 named
 * {@code torpor} with a TCP readiness probe on it, {@code restartPolicy: Never}, memory request = limit. A warm pod is
 * sized by {@code TORPOR_K8S_WARM_POD_MEMORY_MB} and warms its load path up before it listens; a model's own pod by
 * its {@code memoryMb}, with {@code nvidia.com/gpu: 1} when placed on a GPU. Both add the overhead, the configured node
 * selectors and tolerations, and the router's pod as owner when there is one.
 *
 * <p>Beyond the contract, for safety: function pods get no service-account token (they never call the API), run as a
 * non-root user with a read-only root file system and no privilege escalation, and write only {@code /tmp}, an
 * {@code emptyDir} that also caches the model files they receive. Thread-safe (stateless but for its settings).
 */
final class FunctionPods {
    /** The Torpor jar in the image (API.md). */
    static final String IMAGE_JAR = "/opt/torpor/torpor.jar";
    static final String CONTAINER = "function";
    static final String PORT_NAME = "torpor";
    static final String TOKEN_ENV = "TORPOR_FUNCTION_TOKEN";
    private static final long IMAGE_UID = 10001; // the image's own user (deploy/docker/Dockerfile)
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final KubernetesSettings settings;

    FunctionPods(KubernetesSettings settings) {
        this.settings = settings;
    }

    /** A fresh pod name: {@code torpor-fn-} and ten random characters. */
    static String newName() {
        StringBuilder name = new StringBuilder("torpor-fn-");
        for (int i = 0; i < 10; i++) {
            name.append(NAME_CHARS[RANDOM.nextInt(NAME_CHARS.length)]);
        }
        return name.toString();
    }

    /** A fresh token for one pod: 32 random bytes, hex. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** A model-less pod for the warm pool: it warms its load path up before it listens (and so turns Ready). */
    Pod warm(String name, String token) {
        Map<String, String> labels = baseLabels();
        labels.put(PodLabels.STATE, PodLabels.WARM);
        return pod(name, token, labels, Map.of(), settings.warmPodMemoryMb(), false,
                List.of(FunctionHost.WARM_UP));
    }

    /** A pod of {@code spec}'s own, claimed from its creation: for a model that no warm pod fits, or none is Ready. */
    Pod forModel(String name, String token, LaunchSpec spec) {
        Map<String, String> labels = baseLabels();
        labels.putAll(claimLabels(spec));
        return pod(name, token, labels, claimAnnotations(spec), Math.max(64, spec.memoryMb()), spec.device().isGpu(),
                FunctionHost.optionsFor(spec.manifest()));
    }

    /** The labels a claim sets on a pod: state {@code claimed}, the model and its version. */
    static Map<String, String> claimLabels(LaunchSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PodLabels.STATE, PodLabels.CLAIMED);
        labels.put(PodLabels.MODEL, PodLabels.labelValue(spec.manifest().name()));
        labels.put(PodLabels.VERSION, PodLabels.labelValue(spec.manifest().version()));
        return labels;
    }

    /** The annotations a claim sets: the exact model id and the instance. */
    static Map<String, String> claimAnnotations(LaunchSpec spec) {
        return Map.of(PodLabels.MODEL_ID, String.valueOf(spec.manifest().id()), PodLabels.INSTANCE, spec.instanceId());
    }

    /** The labels every pod of this router carries, whatever its state: what the router selects its pods by. */
    Map<String, String> baseLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PodLabels.NAME, "torpor");
        labels.put(PodLabels.COMPONENT, "function");
        labels.put(PodLabels.ROUTER, settings.routerId());
        return labels;
    }

    /** Whether a warm pod can serve {@code spec}: a CPU placement, within its memory, needing no host options. */
    boolean warmPodFits(LaunchSpec spec) {
        return !spec.device().isGpu() && spec.memoryMb() <= settings.warmPodMemoryMb()
                && FunctionHost.optionsFor(spec.manifest()).isEmpty();
    }

    private Pod pod(String name, String token, Map<String, String> labels, Map<String, String> annotations,
                    long heapMb, boolean gpu, List<String> hostOptions) {
        Quantity memory = new Quantity((heapMb + settings.overheadMb()) + "Mi");
        Map<String, Quantity> limits = new HashMap<>(Map.of("memory", memory));
        if (gpu) {
            limits.put("nvidia.com/gpu", new Quantity("1"));
        }
        Map<String, String> nodeSelector = new HashMap<>(settings.nodeSelector());
        if (gpu) {
            nodeSelector.putAll(settings.gpuNodeSelector());
        }
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k",
                "-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true"));
        command.addAll(settings.jvmOptions());
        command.addAll(List.of("-cp", IMAGE_JAR, FunctionHost.class.getName()));
        command.addAll(hostOptions);
        command.add(FunctionHost.LISTEN);
        PodBuilder pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(settings.namespace()).withLabels(labels)
                .withAnnotations(annotations.isEmpty() ? null : annotations).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNodeSelector(nodeSelector.isEmpty() ? null : nodeSelector)
                .withTolerations(settings.tolerations().isEmpty() ? null : settings.tolerations())
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(IMAGE_UID).endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(settings.image())
                        .withCommand(command)
                        .withEnv(env(token))
                        .addNewPort().withName(PORT_NAME).withContainerPort(KubernetesSettings.FUNCTION_PORT)
                        .withProtocol("TCP").endPort()
                        .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(PORT_NAME)).endTcpSocket()
                        .withPeriodSeconds(1).withFailureThreshold(1).endReadinessProbe()
                        .withNewResources().withRequests(Map.of("memory", memory)).withLimits(limits).endResources()
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                        .build())
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec();
        settings.owner().ifPresent(owner -> pod.editMetadata().withOwnerReferences(owner).endMetadata());
        return pod.build();
    }

    private static List<EnvVar> env(String token) {
        return List.of(
                new EnvVarBuilder().withName("POD_IP").withNewValueFrom().withNewFieldRef()
                        .withFieldPath("status.podIP").endFieldRef().endValueFrom().build(),
                new EnvVarBuilder().withName(TOKEN_ENV).withValue(token).build());
    }
}
