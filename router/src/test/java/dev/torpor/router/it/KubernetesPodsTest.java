package dev.torpor.router.it;

import static dev.torpor.router.it.ClusterPods.await;
import static dev.torpor.router.it.ClusterPods.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.fixtures.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real router with the kubernetes launcher (one warm pod) on a {@link TestCluster}: real HTTP, Silero VAD, and ONNX
 * Runtime in function hosts that the test kubelet runs as the pods. What the pods do is read back from the cluster's
 * API and the kubelet's processes: a cold start claims the warm pod, the pool and the instance name it, an unload
 * deletes it, concurrency scales a model out to several pods, and a pod whose process dies is replaced.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubernetesPodsTest implements TorporTestProperties {
    private static final String ROUTER_ID = "it-pods";

    @Inject
    EmbeddedServer server;
    private final RouterOnCluster onCluster = new RouterOnCluster("torpor-it");
    private TestCluster cluster;
    private ClusterPods pods;
    private Http http;

    @Override
    public Map<String, String> extraProperties() {
        cluster = onCluster.cluster();
        pods = onCluster.pods();
        // Quick autoscaling decisions, as in ScaleTest.
        return onCluster.properties(ROUTER_ID, Map.of("torpor.k8s.warm-pods", "1", "torpor.scale.tick-ms", "200",
                "torpor.scale.panic-window-seconds", "1", "torpor.scale.stable-window-seconds", "4"));
    }

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    /** The router first (it deletes its pods through the cluster), then the cluster. */
    @AfterAll
    void stopRouterThenCluster() {
        onCluster.stopRouterThenCluster(server,
                () -> assertThat(pods.ofRouter(ROUTER_ID)).as("a stopped router leaves no pod").isEmpty());
    }

    private void publishSilero(String model) {
        Http.Reply published = http.putFile("/v2/repository/models/" + model + "/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private static void assertSameAsOnnxRuntime(Http.Reply reply, Map<String, float[]> expected) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode outputs = reply.json().get("outputs");
        assertThat(outputs).hasSize(expected.size());
        for (JsonNode output : outputs) {
            assertThat(SileroRequests.floats(output.get("data"))).as(output.get("name").asText())
                    .containsExactly(expected.get(output.get("name").asText()));
        }
    }

    private List<JsonNode> instances(String model) {
        List<JsonNode> instances = new ArrayList<>();
        http.get("/v2/repository/models/" + model).json().get("instances").forEach(instances::add);
        return instances;
    }

    private JsonNode poolPod(String podName) {
        for (JsonNode pod : http.get("/admin/pool").json().get("pods")) {
            if (pod.get("name").asText().equals(podName)) {
                return pod;
            }
        }
        return null;
    }

    @Test
    void aColdStartClaimsTheWarmPodWhichServesLikeOnnxRuntimeUntilTheUnloadDeletesIt() throws Exception {
        await("the router's warm pod is Ready", Duration.ofSeconds(60), () -> pods.readyWarm(ROUTER_ID).size() == 1);
        assertThat(pods.withLabels(Map.of(ClusterPods.ROUTER, ROUTER_ID, ClusterPods.STATE, "warm")))
                .as("exactly TORPOR_K8S_WARM_PODS warm pods").hasSize(1);
        Pod warmPod = pods.readyWarm(ROUTER_ID).get(0);
        String warm = name(warmPod);
        assertThat(warmPod.getMetadata().getLabels()).doesNotContainKey(ClusterPods.MODEL);
        JsonNode listedWarm = poolPod(warm);
        assertThat(listedWarm).as("GET /admin/pool lists the warm pod").isNotNull();
        assertThat(listedWarm.get("state").asText()).isEqualTo("warm");

        publishSilero("vad");
        float[] audio = SileroRequests.audio(3);
        Map<String, float[]> expected = SileroRequests.direct(SampleModels.silero(), audio);
        Http.Reply cold = http.post("/v2/models/vad/infer", SileroRequests.json("cold", audio));
        assertSameAsOnnxRuntime(cold, expected);
        assertThat(cold.header("torpor-cold-start")).isEqualTo("true");
        Http.Reply warmReply = http.post("/v2/models/vad/infer", SileroRequests.json("warm", audio));
        assertSameAsOnnxRuntime(warmReply, expected);
        assertThat(warmReply.header("torpor-cold-start")).isEqualTo("false");

        // The cold start claimed that very pod: relabelled for the model, still the same pod.
        Pod claimed = pods.get(warm);
        assertThat(claimed).as("the claimed pod").isNotNull();
        assertThat(claimed.getMetadata().getLabels()).containsEntry(ClusterPods.STATE, "claimed")
                .containsEntry(ClusterPods.MODEL, "vad").containsEntry(ClusterPods.VERSION, "1")
                .containsEntry(ClusterPods.ROUTER, ROUTER_ID);
        List<JsonNode> instances = instances("vad");
        assertThat(instances).hasSize(1);
        String instanceId = instances.get(0).get("id").asText();
        assertThat(instances.get(0).get("host").asText()).isEqualTo("pod/" + warm);
        JsonNode listed = poolPod(warm);
        assertThat(listed).as("GET /admin/pool lists the claimed pod").isNotNull();
        assertThat(listed.get("phase").asText()).isEqualTo("Running");
        assertThat(listed.get("state").asText()).isEqualTo("claimed");
        assertThat(listed.get("model").asText()).isEqualTo("vad/1");
        assertThat(listed.get("instance").asText()).isEqualTo(instanceId);

        // Billed as with any launcher, to the instance on that pod.
        JsonNode records = http.get("/billing/records?model=vad").json().get("records");
        assertThat(records).hasSize(2);
        assertThat(records.get(0).get("id").asText()).isEqualTo(cold.header("torpor-request-id"));
        assertThat(records.get(0).get("coldStart").asBoolean()).isTrue();
        assertThat(records.get(1).get("id").asText()).isEqualTo(warmReply.header("torpor-request-id"));
        assertThat(records.get(1).get("coldStart").asBoolean()).isFalse();
        records.forEach(record -> {
            assertThat(record.get("instanceId").asText()).isEqualTo(instanceId);
            assertThat(record.get("status").asText()).isEqualTo("ok");
        });

        // A new warm pod replaces the claimed one.
        await("a new warm pod is Ready", Duration.ofSeconds(60), () -> pods.readyWarm(ROUTER_ID).stream()
                .anyMatch(pod -> !name(pod).equals(warm)));

        // Unloaded, the pod is deleted and its process ends.
        Process process = cluster.kubelet().process(warm).orElseThrow();
        assertThat(process.isAlive()).isTrue();
        Http.Reply unloaded = http.post("/v2/repository/models/vad/unload", "");
        assertThat(unloaded.status()).as(unloaded.body()).isEqualTo(200);
        assertThat(unloaded.json().get("instances")).isEmpty();
        await("the unloaded instance's pod is deleted", Duration.ofSeconds(30), () -> pods.get(warm) == null);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the pod's process has exited").isTrue();
        assertThat(poolPod(warm)).as("GET /admin/pool no longer lists it").isNull();
    }

    @Test
    void concurrentRequestsScaleAModelOutToSeveralPods() throws Exception {
        publishSilero("vad-scale");
        Http.Reply configured = http.putJson("/v2/repository/models/vad-scale/config",
                "{\"concurrencyPerInstance\": 1, \"maxInstances\": 3}");
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);
        float[] audio = SileroRequests.audio(5);
        Map<String, float[]> expected = SileroRequests.direct(SampleModels.silero(), audio);
        String body = SileroRequests.json("scale", audio);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(6);
        Set<String> readyHosts = new HashSet<>();
        Set<String> claimedPods = new HashSet<>();
        try {
            for (int c = 0; c < 6; c++) {
                clients.execute(() -> {
                    while (!stop.get()) {
                        Http.Reply reply = http.post("/v2/models/vad-scale/infer", body);
                        if (reply.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(reply.status() + " " + reply.body());
                        }
                    }
                });
            }
            await("two READY instances of vad-scale on two claimed pods", Duration.ofSeconds(60), () -> {
                readyHosts.clear();
                instances("vad-scale").stream().filter(i -> i.get("state").asText().equals("READY"))
                        .forEach(i -> readyHosts.add(i.path("host").asText()));
                claimedPods.clear();
                pods.claimedFor(ROUTER_ID, "vad-scale").forEach(pod -> claimedPods.add("pod/" + name(pod)));
                return readyHosts.size() >= 2 && claimedPods.containsAll(readyHosts);
            }, () -> "(READY instances on " + readyHosts + ", claimed pods " + claimedPods + ")");
        } finally {
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(failures).as("every request under load answered 200").isEmpty();
        assertThat(ok.get()).isPositive();
        assertSameAsOnnxRuntime(http.post("/v2/models/vad-scale/infer", body), expected);

        assertThat(http.post("/v2/repository/models/vad-scale/unload", "").status()).isEqualTo(200);
        await("every pod of vad-scale is deleted", Duration.ofSeconds(30),
                () -> pods.claimedFor(ROUTER_ID, "vad-scale").isEmpty());
    }

    @Test
    void aPodWhoseProcessIsKilledIsReplacedByANewPodForTheNextRequest() throws Exception {
        publishSilero("vad-kill");
        float[] audio = SileroRequests.audio(9);
        Map<String, float[]> expected = SileroRequests.direct(SampleModels.silero(), audio);
        assertSameAsOnnxRuntime(http.post("/v2/models/vad-kill/infer", SileroRequests.json("k1", audio)), expected);
        List<JsonNode> before = instances("vad-kill");
        assertThat(before).hasSize(1);
        String first = before.get(0).get("host").asText().substring("pod/".length());
        assertThat(pods.claimedFor(ROUTER_ID, "vad-kill")).extracting(ClusterPods::name).containsExactly(first);

        Process process = cluster.kubelet().process(first).orElseThrow();
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await("the router deletes the pod whose container ended", Duration.ofSeconds(30),
                () -> pods.get(first) == null);

        assertSameAsOnnxRuntime(http.post("/v2/models/vad-kill/infer", SileroRequests.json("k2", audio)), expected);
        List<JsonNode> after = instances("vad-kill");
        assertThat(after).hasSize(1);
        String second = after.get(0).get("host").asText().substring("pod/".length());
        assertThat(second).as("served by a new pod").isNotEqualTo(first).startsWith("torpor-fn-");
        assertThat(pods.claimedFor(ROUTER_ID, "vad-kill")).extracting(ClusterPods::name).containsExactly(second);
        assertThat(cluster.kubelet().process(second).orElseThrow().isAlive()).isTrue();
    }
}
