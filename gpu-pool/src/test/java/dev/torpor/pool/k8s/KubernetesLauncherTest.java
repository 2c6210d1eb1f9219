package dev.torpor.pool.k8s;

import dev.torpor.fixtures.TestKubelet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import dev.torpor.pool.HostView;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.process.TestModels;
import dev.torpor.store.ModelManifest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes launcher against fabric8's mock API server (CRUD mode) with the {@link TestKubelet}: real client,
 * informer, pods written to the contract, function hosts on their own loopback addresses, the model sent over TCP.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KubernetesLauncherTest {
    private static final String NAMESPACE = "torpor-test";
    static KubernetesClient client;
    static KubernetesMockServer server;

    @TempDir
    Path dataDir;
    private TestKubelet kubelet;
    private TestModels models;
    private ModelManifest vad;
    private final List<KubernetesLauncher> launchers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        kubelet = TestKubelet.start(client, NAMESPACE, dataDir.resolve("kubelet"));
        models = new TestModels(dataDir);
        vad = models.publishSilero("vad");
    }

    @AfterEach
    void cleanUp() {
        launchers.forEach(KubernetesLauncher::close);
        kubelet.close();
    }

    private KubernetesLauncher launcher(String routerId, int warmPods, Duration startTimeout) {
        KubernetesSettings settings = new KubernetesSettings(NAMESPACE, "torpor:test", warmPods, 1024, 256,
                startTimeout, Duration.ofSeconds(20), Map.of("pool", "functions"), Map.of(), List.of(), routerId,
                Optional.empty(), List.of(), Optional.of(dataDir.resolve("ort-cache")));
        KubernetesLauncher launcher = new KubernetesLauncher(client, settings, Clock.systemUTC());
        launchers.add(launcher);
        return launcher.start();
    }

    @Test
    void aColdStartClaimsTheWarmPodSendsItTheModelAndAReplacementFollows() throws Exception {
        KubernetesLauncher launcher = launcher("router-a", 1, Duration.ofSeconds(120));
        await("a warm pod is Ready", () -> launcher.warmReady() == 1);
        String warmPod = podsOf("router-a").get(0).getMetadata().getName();
        assertThat(podsOf("router-a").get(0).getMetadata().getLabels())
                .containsEntry(PodLabels.STATE, PodLabels.WARM).doesNotContainKey(PodLabels.MODEL);

        FunctionInstance instance = launcher.launch(models.spec("vad-1-a", vad, 1));
        instance.load().get(60, TimeUnit.SECONDS);
        assertThat(instance.state()).isEqualTo(InstanceState.READY);
        InferenceOutcome outcome = instance.infer(TestModels.sileroRequest(1), new RunControl()).get(30, TimeUnit.SECONDS);
        assertThat(outcome.outputs()).isNotEmpty();
        assertThat(outcome.computeNanos()).isPositive();

        Pod claimed = client.pods().inNamespace(NAMESPACE).withName(warmPod).get();
        assertThat(claimed.getMetadata().getLabels()).containsEntry(PodLabels.STATE, PodLabels.CLAIMED)
                .containsEntry(PodLabels.MODEL, "vad").containsEntry(PodLabels.VERSION, "1")
                .containsEntry(PodLabels.ROUTER, "router-a");
        assertThat(claimed.getMetadata().getAnnotations()).containsEntry(PodLabels.INSTANCE, "vad-1-a");
        assertThat(instance.host()).contains("pod/" + warmPod);
        assertThat(launcher.hosts()).extracting(HostView::name, HostView::state, HostView::model, HostView::instanceId)
                .contains(org.assertj.core.groups.Tuple.tuple(warmPod, "claimed", "vad/1", "vad-1-a"));

        await("a new warm pod replaces the claimed one", () -> launcher.warmReady() == 1);
        assertThat(podsOf("router-a")).hasSize(2);

        Process process = kubelet.process(warmPod).orElseThrow();
        instance.stop();
        await("the reaped instance's pod is deleted", () -> pod(warmPod) == null);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("its process is gone").isTrue();
    }

    @Test
    void aLaterColdStartGetsTheGraphTheRouterOptimizedAndAnswersTheSame() throws Exception {
        KubernetesLauncher launcher = launcher("router-h", 1, Duration.ofSeconds(120));
        await("a warm pod is Ready", () -> launcher.warmReady() == 1);
        FunctionInstance first = launcher.launch(models.spec("vad-1-h1", vad, 1));
        first.load().get(60, TimeUnit.SECONDS);
        InferenceOutcome before = first.infer(TestModels.sileroRequest(5), new RunControl()).get(30, TimeUnit.SECONDS);
        Path routerCache = dataDir.resolve("ort-cache");
        await("the router made the optimized graph after the first answer", () -> ortFiles(routerCache) == 1);
        first.stop();

        await("a warm pod is Ready and prepared again", () -> launcher.warmPrepared() == 1);
        FunctionInstance second = launcher.launch(models.spec("vad-1-h2", vad, 1));
        second.load().get(60, TimeUnit.SECONDS);
        String pod = second.host().orElseThrow().substring("pod/".length());
        assertThat(ortFiles(dataDir.resolve("kubelet").resolve(pod))).as("the pod received the optimized graph")
                .isEqualTo(1);
        assertThat(java.nio.file.Files.readString(kubelet.log(pod)))
                .as("the warm pod had the model staged before the claim: the cold start sent no bytes of it")
                .contains("model file model.onnx (" + vad.sizeBytes() + " bytes) is cached, no transfer");
        InferenceOutcome after = second.infer(TestModels.sileroRequest(5), new RunControl()).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < before.outputs().size(); i++) {
            assertThat((float[]) after.outputs().get(i).data()).containsExactly((float[]) before.outputs().get(i).data());
        }
        second.stop();
    }

    private static long ortFiles(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return 0;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(file -> file.toString().endsWith(".ort")).count();
        } catch (java.io.IOException | java.io.UncheckedIOException racing) {
            return 0; // a file moved while walking: look again
        }
    }

    @Test
    void withoutAWarmPodAModelGetsAPodOfItsOwnSizedForIt() throws Exception {
        KubernetesLauncher launcher = launcher("router-b", 0, Duration.ofSeconds(120));
        LaunchSpec spec = models.spec("vad-1-b", vad, 1);
        FunctionInstance instance = launcher.launch(spec);
        instance.load().get(90, TimeUnit.SECONDS);
        List<Pod> pods = podsOf("router-b");
        assertThat(pods).hasSize(1);
        Pod own = pods.get(0);
        assertThat(own.getMetadata().getLabels()).containsEntry(PodLabels.STATE, PodLabels.CLAIMED)
                .containsEntry(PodLabels.MODEL, "vad");
        assertThat(own.getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString())
                .isEqualTo((Math.max(64, spec.memoryMb()) + 256) + "Mi");
        assertThat(own.getSpec().getNodeSelector()).containsEntry("pool", "functions");
        assertThat(instance.infer(TestModels.sileroRequest(2), new RunControl()).get(30, TimeUnit.SECONDS).outputs())
                .isNotEmpty();
        instance.stop();
        await("no pod is left", () -> podsOf("router-b").isEmpty());
    }

    @Test
    void aPodWhoseProcessDiesIsReplacedForTheNextRequest() throws Exception {
        KubernetesLauncher launcher = launcher("router-c", 1, Duration.ofSeconds(120));
        await("a warm pod is Ready", () -> launcher.warmReady() == 1);
        FunctionInstance instance = launcher.launch(models.spec("vad-1-c", vad, 1));
        instance.load().get(60, TimeUnit.SECONDS);
        String first = instance.host().orElseThrow().substring("pod/".length());
        kubelet.process(first).orElseThrow().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        await("the dead pod is deleted", () -> pod(first) == null);

        InferenceOutcome outcome = instance.infer(TestModels.sileroRequest(3), new RunControl()).get(90, TimeUnit.SECONDS);
        assertThat(outcome.outputs()).isNotEmpty();
        String second = instance.host().orElseThrow().substring("pod/".length());
        assertThat(second).isNotEqualTo(first);
        assertThat(kubelet.process(second).orElseThrow().isAlive()).isTrue();
        instance.stop();
    }

    @Test
    void anUnschedulablePodFailsTheLoadNamingItsConditionAndIsDeleted() throws Exception {
        kubelet.leaveUnschedulable(pod -> true, "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
        KubernetesLauncher launcher = launcher("router-d", 0, Duration.ofSeconds(2));
        FunctionInstance instance = launcher.launch(models.spec("vad-1-d", vad, 1));
        assertThatThrownBy(() -> instance.load().get(60, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ModelLoadFailed.class)
                .hasMessageMatching("(?s).*pod torpor-fn-[a-z0-9]{10} not Ready after 2 s: PodScheduled=False "
                        + "Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu\\..*");
        await("the pod is deleted", () -> podsOf("router-d").isEmpty());
    }

    @Test
    void theApiServerRefusingACreateIsALoadFailureWithItsReason() throws Exception {
        KubernetesLauncher launcher = launcher("router-e", 0, Duration.ofSeconds(120));
        server.expect().post().withPath("/api/v1/namespaces/" + NAMESPACE + "/pods")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(
                        "pods is forbidden: User \"system:serviceaccount:torpor:torpor\" cannot create resource "
                                + "\"pods\" in API group \"\" in the namespace \"torpor-test\"").build()).once();
        FunctionInstance instance = launcher.launch(models.spec("vad-1-e", vad, 1));
        assertThatThrownBy(() -> instance.load().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ModelLoadFailed.class)
                .hasMessageContaining("the Kubernetes API refused to create pod torpor-fn-")
                .hasMessageContaining("403 Forbidden: pods is forbidden");
        assertThat(podsOf("router-e")).isEmpty();
    }

    @Test
    void aRestartedRouterDeletesThePodsOfItsEarlierLifeAndClosingLeavesNone() throws Exception {
        KubernetesLauncher first = launcher("router-f", 1, Duration.ofSeconds(120));
        await("a warm pod is Ready", () -> first.warmReady() == 1);
        String old = podsOf("router-f").get(0).getMetadata().getName();
        KubernetesLauncher other = launcher("router-g", 1, Duration.ofSeconds(120));
        await("the other router's warm pod is Ready", () -> other.warmReady() == 1);
        String others = podsOf("router-g").get(0).getMetadata().getName();

        first.abandon(); // the first router dies: nothing of it acts any more, its pod stays
        KubernetesLauncher second = launcher("router-f", 1, Duration.ofSeconds(120));
        assertThat(pod(old)).as("the earlier life's pod is deleted at start").isNull();
        await("the restarted router has its own warm pod", () -> second.warmReady() == 1);
        assertThat(pod(others)).as("another router's pod is never touched").isNotNull();

        Process process = kubelet.process(podsOf("router-f").get(0).getMetadata().getName()).orElseThrow();
        second.close();
        assertThat(podsOf("router-f")).as("closing deletes every pod of the router").isEmpty();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pod(others)).isNotNull();
    }

    private List<Pod> podsOf(String routerId) {
        return client.pods().inNamespace(NAMESPACE).withLabel(PodLabels.ROUTER, routerId).list().getItems();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name).get();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(50);
        }
    }
}
