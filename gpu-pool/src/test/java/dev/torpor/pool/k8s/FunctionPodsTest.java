package dev.torpor.pool.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.function.RuntimeOptions;
import dev.torpor.pool.Device;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pods as API.md's pod contract writes them (literal: acceptance checks play the kubelet against it). */
class FunctionPodsTest {
    private static final KubernetesSettings SETTINGS = new KubernetesSettings("fns", "torpor:9.9", 1, 1024, 256,
            Duration.ofSeconds(120), Duration.ofSeconds(30), Map.of("pool", "functions"), Map.of("gpu", "a100"),
            List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists").build()), "router one!",
            Optional.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod").withName("torpor-router-x")
                    .withUid("uid-1").build()), List.of(), Optional.empty());
    private final FunctionPods pods = new FunctionPods(SETTINGS);

    @Test
    void aWarmPodFollowsTheContract() {
        Pod pod = pods.warm("torpor-fn-abc", "secret-token");
        assertThat(pod.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "app.kubernetes.io/name", "torpor", "app.kubernetes.io/component", "function",
                "torpor.dev/router", "router-one", "torpor.dev/state", "warm"));
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("fns");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getName()).isEqualTo("torpor-router-x"));
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getName()).isEqualTo("function");
        assertThat(container.getImage()).isEqualTo("torpor:9.9");
        List<String> command = container.getCommand();
        assertThat(command.get(0)).isEqualTo("java");
        assertThat(command).containsSequence("-cp", "/opt/torpor/torpor.jar", "dev.torpor.function.host.FunctionHost")
                .contains("-Xmx1024m", "--warm-up").doesNotContain("sh", "bash", "-c");
        assertThat(command.get(command.size() - 1)).isEqualTo("--listen");
        assertThat(container.getArgs()).isEmpty();
        EnvVar podIp = env(container, "POD_IP");
        assertThat(podIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        assertThat(env(container, "TORPOR_FUNCTION_TOKEN").getValue()).isEqualTo("secret-token");
        assertThat(container.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getContainerPort()).isEqualTo(9000);
            assertThat(port.getName()).isEqualTo("torpor");
        });
        assertThat(container.getReadinessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("torpor");
        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(requests.get("memory")).isEqualTo(new Quantity("1280Mi"));
        assertThat(limits).containsOnlyKeys("memory").containsEntry("memory", new Quantity("1280Mi"));
        assertThat(pod.getSpec().getNodeSelector()).isEqualTo(Map.of("pool", "functions"));
        assertThat(pod.getSpec().getTolerations()).hasSize(1);
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).as("function pods never call the API").isFalse();
    }

    @Test
    void aModelsOwnPodIsSizedForItAndAGpuPlacementAsksForOneGpu() {
        LaunchSpec gpu = spec(Device.gpu(0, "A100", 40_000), 3000);
        Pod pod = pods.forModel("torpor-fn-gpu", "t", gpu);
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("3256Mi"))
                .containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(container.getResources().getRequests()).containsEntry("memory", new Quantity("3256Mi"));
        assertThat(container.getCommand()).contains("-Xmx3000m").doesNotContain("--warm-up");
        assertThat(pod.getSpec().getNodeSelector()).isEqualTo(Map.of("pool", "functions", "gpu", "a100"));
        assertThat(pod.getMetadata().getLabels()).containsEntry("torpor.dev/state", "claimed")
                .containsEntry("torpor.dev/model", "ocr.det-v2").containsEntry("torpor.dev/version", "7");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("torpor.dev/model-id", "ocr.det-v2/7")
                .containsEntry("torpor.dev/instance", "inst-1");
        assertThat(pods.warmPodFits(gpu)).as("warm pods have no GPU").isFalse();
        assertThat(pods.warmPodFits(spec(Device.cpu(8000), 2048))).as("more memory than a warm pod").isFalse();
        assertThat(pods.warmPodFits(spec(Device.cpu(8000), 1024))).isTrue();
    }

    @Test
    void labelValuesAreMadeValidAndStayDistinct() {
        assertThat(PodLabels.labelValue("vad")).isEqualTo("vad");
        assertThat(PodLabels.labelValue("-router one!-")).isEqualTo("router-one");
        assertThat(PodLabels.labelValue("")).isEqualTo("none");
        assertThat(PodLabels.labelValue("___")).isEqualTo("none");
        String longA = "a".repeat(100) + "x";
        String longB = "a".repeat(100) + "y";
        assertThat(PodLabels.labelValue(longA)).hasSizeLessThanOrEqualTo(63).matches("[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]");
        assertThat(PodLabels.labelValue(longA)).isNotEqualTo(PodLabels.labelValue(longB));
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    private static LaunchSpec spec(Device device, long memoryMb) {
        ModelManifest manifest = new ModelManifest("ocr.det-v2", "7", "default", ModelFormat.ONNX, null, "model.onnx",
                "0".repeat(64), 1000, Instant.EPOCH, new Signature(
                List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 3})),
                List.of(new TensorSpec("y", DataType.FP32, new long[] {-1}))), memoryMb);
        return new LaunchSpec("inst-1", manifest, Path.of("/store/ocr.det-v2/7/model.onnx"), device,
                RuntimeOptions.DEFAULT, 1, memoryMb);
    }
}
