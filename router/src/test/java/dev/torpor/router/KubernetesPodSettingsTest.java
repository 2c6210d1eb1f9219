package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.pool.k8s.KubernetesSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TORPOR_K8S_* are checked at start-up with messages naming the variable; defaults follow API.md. */
class KubernetesPodSettingsTest {

    private static KubernetesPodSettings settings(String nodeSelector, String gpuNodeSelector, String tolerations) {
        return new KubernetesPodSettings(null, null, 1, 1024, 120, nodeSelector, gpuNodeSelector, tolerations,
                "r1", null, null);
    }

    @Test
    void theDefaultsAreApiMds() {
        KubernetesSettings chosen = settings("", "", "").toLauncherSettings(null, 256);
        assertThat(chosen.namespace()).isEqualTo("default");
        assertThat(chosen.image()).isEqualTo("torpor:" + KubernetesPodSettings.projectVersion());
        assertThat(chosen.warmPods()).isEqualTo(1);
        assertThat(chosen.warmPodMemoryMb()).isEqualTo(1024);
        assertThat(chosen.podStartTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(chosen.nodeSelector()).isEmpty();
        assertThat(chosen.tolerations()).isEmpty();
        assertThat(chosen.owner()).isEmpty();
        assertThat(settings("", "", "").toLauncherSettings("from-client", 256).namespace())
                .as("the client's namespace (service account, KUBERNETES_NAMESPACE, kubeconfig)").isEqualTo("from-client");
        assertThat(new KubernetesPodSettings("mine", "reg/torpor:1", 0, 512, 5, null, null, null, null, "router-pod",
                "uid-7").toLauncherSettings("from-client", 0)).satisfies(explicit -> {
                    assertThat(explicit.namespace()).isEqualTo("mine");
                    assertThat(explicit.image()).isEqualTo("reg/torpor:1");
                    assertThat(explicit.routerId()).as("the host name by default").isNotBlank();
                    assertThat(explicit.owner()).hasValueSatisfying(owner -> {
                        assertThat(owner.getKind()).isEqualTo("Pod");
                        assertThat(owner.getName()).isEqualTo("router-pod");
                        assertThat(owner.getUid()).isEqualTo("uid-7");
                    });
                });
    }

    @Test
    void selectorsAndTolerationsAreParsed() {
        KubernetesSettings chosen = settings("{\"pool\":\"functions\"}", "{\"accelerator\":\"a100\"}",
                "[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\",\"tolerationSeconds\":30}]")
                .toLauncherSettings(null, 256);
        assertThat(chosen.nodeSelector()).containsExactlyEntriesOf(java.util.Map.of("pool", "functions"));
        assertThat(chosen.gpuNodeSelector()).containsEntry("accelerator", "a100");
        assertThat(chosen.tolerations()).singleElement().satisfies(toleration -> {
            assertThat(toleration.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(toleration.getEffect()).isEqualTo("NoSchedule");
            assertThat(toleration.getTolerationSeconds()).isEqualTo(30L);
        });
    }

    @Test
    void badValuesAreRefusedNamingTheirVariable() {
        assertThatThrownBy(() -> settings("{pool", "", "")).hasMessageStartingWith(
                "TORPOR_K8S_NODE_SELECTOR is not valid JSON");
        assertThatThrownBy(() -> settings("[\"a\"]", "", "")).hasMessageStartingWith(
                "TORPOR_K8S_NODE_SELECTOR must be a JSON object of strings");
        assertThatThrownBy(() -> settings("", "{\"gpu\": 1}", "")).hasMessage(
                "TORPOR_K8S_GPU_NODE_SELECTOR: the value of 'gpu' must be a string");
        assertThatThrownBy(() -> settings("", "", "{\"key\":\"a\"}")).hasMessageStartingWith(
                "TORPOR_K8S_TOLERATIONS must be a JSON array of tolerations");
        assertThatThrownBy(() -> settings("", "", "[{\"kee\":\"a\"}]")).hasMessageStartingWith(
                "TORPOR_K8S_TOLERATIONS: unknown toleration field 'kee'");
        assertThatThrownBy(() -> settings("", "", "[{\"tolerationSeconds\":\"soon\"}]")).hasMessage(
                "TORPOR_K8S_TOLERATIONS: tolerationSeconds must be a whole number");
        assertThatThrownBy(() -> new KubernetesPodSettings(null, null, -1, 1024, 120, null, null, null, null, null,
                null)).hasMessageContaining("TORPOR_K8S_WARM_PODS");
        assertThatThrownBy(() -> new KubernetesPodSettings(null, null, 1, 10, 120, null, null, null, null, null,
                null)).hasMessageContaining("TORPOR_K8S_WARM_POD_MEMORY_MB");
        assertThatThrownBy(() -> new KubernetesPodSettings(null, null, 1, 1024, 0, null, null, null, null, null,
                null)).hasMessageContaining("TORPOR_K8S_POD_START_TIMEOUT_SECONDS");
        assertThatThrownBy(() -> new KubernetesPodSettings(null, null, 1, 1024, 120, null, null, null, null, "pod",
                null)).hasMessageContaining("POD_NAME and POD_UID");
    }
}
