package dev.torpor.router.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.pool.k8s.PodPermissions;
import dev.torpor.router.http.HealthController;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes, read into fabric8's typed model (unknown fields fail): kustomization lists every manifest
 * and nothing else; the Role grants exactly {@link PodPermissions}; the RoleBinding gives it to the
 * ServiceAccount the Deployment runs as; the Deployment's probes hit the router's real health routes, its env
 * names only settings the router knows, its data dir is the claimed volume; the Service reaches the router's
 * container port and never a function pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final Map<String, String> FUNCTION_POD_LABELS = Map.of(
            "app.kubernetes.io/name", "torpor", "app.kubernetes.io/component", "function");

    private final Map<String, HasMetadata> byFile = new TreeMap<>();
    private ServiceAccount account;
    private Role role;
    private RoleBinding binding;
    private Deployment deployment;
    private Service service;
    private PersistentVolumeClaim claim;

    @BeforeAll
    void readEveryManifest() throws IOException {
        StrictManifestReader reader = new StrictManifestReader();
        for (String file : manifestFiles()) {
            byFile.put(file, reader.read(file, Files.readString(DIR.resolve(file))));
        }
        account = only(ServiceAccount.class);
        role = only(Role.class);
        binding = only(RoleBinding.class);
        deployment = only(Deployment.class);
        service = only(Service.class);
        claim = only(PersistentVolumeClaim.class);
        assertThat(byFile).as("one resource of each kind, nothing else").hasSize(6);
    }

    @Test
    void kustomizationListsEveryManifestAndNothingElse() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(DIR.resolve("kustomization.yaml")));
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(manifestFiles());
    }

    @Test
    void theRoleGrantsExactlyTheLaunchersPermissions() {
        Map<String, Set<String>> granted = new HashMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).as("API groups of %s", rule).containsExactly(PodPermissions.API_GROUP);
            assertThat(rule.getResourceNames()).as("no resourceNames: pods are named at run time").isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            for (String resource : rule.getResources()) {
                granted.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(rule.getVerbs());
            }
        }
        assertThat(granted).isEqualTo(PodPermissions.VERBS);
    }

    @Test
    void theRoleBindingGivesTheRoleToTheAccountTheRouterRunsAs() {
        assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(subject.getNamespace()).as("none: the binding's own namespace").isNull();
        });
        assertThat(pod().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    }

    @Test
    void oneRouterOfTheProjectsImageListeningBeyondLoopbackWithTheKubernetesLauncher() throws IOException {
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(pod().getContainers()).hasSize(1);
        assertThat(router().getImage()).isEqualTo("torpor:" + projectVersion());
        assertThat(router().getCommand()).containsSequence("-jar", "/opt/torpor/torpor.jar");
        Map<String, String> env = plainEnv();
        assertThat(env).containsEntry("TORPOR_HOST", "0.0.0.0").containsEntry("TORPOR_LAUNCHER", "kubernetes")
                .containsKey("TORPOR_ROUTER_ID");
        // Function pods name the router's pod as owner: its name and uid from the downward API.
        Map<String, String> fields = router().getEnv().stream().filter(e -> e.getValueFrom() != null
                        && e.getValueFrom().getFieldRef() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
        assertThat(fields).containsEntry("POD_NAME", "metadata.name").containsEntry("POD_UID", "metadata.uid");
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(labels).containsEntry("app.kubernetes.io/name", "torpor");
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(labels);
    }

    @Test
    void everyEnvNameIsASettingOfTheRouter() throws IOException {
        Set<String> known = new TreeSet<>();
        Matcher placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+):").matcher(applicationYml());
        while (placeholder.find()) {
            known.add(placeholder.group(1));
        }
        assertThat(router().getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates().isSubsetOf(known);
    }

    @Test
    void theProbesHitTheRoutersHealthRoutesOnItsPort() throws NoSuchMethodException {
        String base = HealthController.class.getAnnotation(Controller.class).value();
        String live = base + HealthController.class.getDeclaredMethod("live").getAnnotation(Get.class).value();
        String ready = base + HealthController.class.getDeclaredMethod("ready").getAnnotation(Get.class).value();
        assertThat(List.of(live, ready)).containsExactly("/v2/health/live", "/v2/health/ready");
        assertProbe(router().getLivenessProbe(), live);
        assertProbe(router().getStartupProbe(), live);
        assertProbe(router().getReadinessProbe(), ready);
    }

    private void assertProbe(Probe probe, String path) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(containerPort(probe.getHttpGet().getPort()).getContainerPort())
                .as("the port the router listens on (TORPOR_PORT)")
                .isEqualTo(Integer.parseInt(plainEnv().get("TORPOR_PORT")));
    }

    @Test
    void theServiceTargetsTheRoutersPortAndNeverAFunctionPod() {
        Map<String, String> selector = service.getSpec().getSelector();
        Map<String, String> routerLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(routerLabels).containsAllEntriesOf(selector);
        assertThat(FUNCTION_POD_LABELS.entrySet().containsAll(selector.entrySet()))
                .as("a function pod (labels in API.md) is selected by %s", selector).isFalse();
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port ->
                assertThat(containerPort(port.getTargetPort()).getContainerPort()).isEqualTo(8080));
    }

    @Test
    void theDataDirIsTheClaimedVolumeAndTheBootstrapKeyASecretFile() {
        Map<String, String> env = plainEnv();
        Volume data = mountedAt(env.get("TORPOR_DATA_DIR"));
        assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        Path keyFile = Path.of(env.get("TORPOR_BOOTSTRAP_KEY_FILE"));
        Volume key = mountedAt(keyFile.getParent().toString());
        assertThat(key.getSecret().getSecretName()).isEqualTo("torpor-operator-key");
        assertThat(key.getSecret().getDefaultMode()).as("0440").isEqualTo(0440);
        assertThat(router().getEnv()).filteredOn(e -> e.getName().equals("TORPOR_DB_URL")).singleElement()
                .satisfies(dbUrl -> {
                    assertThat(dbUrl.getValueFrom().getSecretKeyRef().getName()).isEqualTo("torpor-database");
                    assertThat(dbUrl.getValueFrom().getSecretKeyRef().getOptional()).as("SQLite without it").isTrue();
                });
    }

    @Test
    void anUnknownFieldFailsTheReading() {
        String typo = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 1\n";
        assertThatThrownBy(() -> new StrictManifestReader().read("typo.yaml", typo))
                .hasMessageContaining("typo.yaml").hasMessageContaining("Deployment.spec.replica");
    }

    private Volume mountedAt(String path) {
        VolumeMount mount = router().getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path))
                .findFirst().orElseThrow(() -> new AssertionError("nothing is mounted at " + path));
        return pod().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
    }

    private ContainerPort containerPort(IntOrString port) {
        return router().getPorts().stream()
                .filter(p -> port.getStrVal() != null ? port.getStrVal().equals(p.getName())
                        : port.getIntVal().equals(p.getContainerPort()))
                .findFirst().orElseThrow(() -> new AssertionError("the container has no port " + port));
    }

    private Map<String, String> plainEnv() {
        return router().getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private PodSpec pod() {
        return deployment.getSpec().getTemplate().getSpec();
    }

    private Container router() {
        return pod().getContainers().get(0);
    }

    private <T extends HasMetadata> T only(Class<T> kind) {
        List<T> found = byFile.values().stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as("manifests of kind %s", kind.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static List<String> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml")).sorted()
                    .toList();
        }
    }

    private static String projectVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>torpor-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertThat(version.find()).as("the root pom's version").isTrue();
        return version.group(1);
    }

    private static String applicationYml() throws IOException {
        try (InputStream yml = KubernetesManifestsTest.class.getResourceAsStream("/application.yml")) {
            return new String(yml.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
