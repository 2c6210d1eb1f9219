package dev.torpor.router.it;

import static dev.torpor.router.it.ClusterPods.await;
import static dev.torpor.router.it.ClusterPods.name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.ChildRouter;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.fixtures.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router's pods across its life, with routers as child processes (the router's main on the test class path,
 * {@code TORPOR_LAUNCHER=kubernetes}, fabric8's client configured from {@code KUBERNETES_MASTER}): a router killed
 * with SIGKILL leaves its pods behind; the next router with the same id deletes them at its start and keeps its own
 * warm pod; a router stopped with SIGTERM deletes every pod of its id, and their processes end.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KubernetesRouterLifecycleTest {
    private static final String ROUTER_ID = "it-lifecycle";
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path workDir;

    @Test
    void podsOutliveASigkilledRouterTheNextStartDeletesThemAndSigtermLeavesNone() throws Exception {
        try (TestCluster cluster = TestCluster.start("torpor-it", workDir.resolve("cluster"))) {
            ClusterPods pods = new ClusterPods(cluster);
            Map<String, String> settings = new HashMap<>(cluster.clientEnvironment());
            settings.put("TORPOR_LAUNCHER", "kubernetes");
            settings.put("TORPOR_ROUTER_ID", ROUTER_ID);
            settings.put("TORPOR_K8S_NAMESPACE", cluster.namespace());
            settings.put("TORPOR_K8S_WARM_PODS", "1");
            Path dataDir = workDir.resolve("data");
            Files.createDirectories(dataDir);

            // Router A keeps a warm pod, and dies without a word.
            String stale;
            Process staleProcess;
            try (ChildRouter a = ChildRouter.onTestClassPath().settings(settings).dataDir(dataDir)
                    .tempPrefix("torpor-k8s-a-").start()) {
                a.awaitReady(START);
                await("router A's warm pod is Ready", Duration.ofSeconds(60),
                        () -> pods.readyWarm(ROUTER_ID).size() == 1, a::logTail);
                stale = name(pods.readyWarm(ROUTER_ID).get(0));
                staleProcess = cluster.kubelet().process(stale).orElseThrow();
                a.process().destroyForcibly();
                assertThat(a.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(pods.exists(stale)).as("nobody deleted the SIGKILLed router's pod %s", stale).isTrue();
            assertThat(staleProcess.isAlive()).as("the stale pod still runs").isTrue();

            // Router B, the same id: the pods of its earlier life go at its start; it makes its own warm pod.
            try (ChildRouter b = ChildRouter.onTestClassPath().settings(settings).dataDir(dataDir)
                    .tempPrefix("torpor-k8s-b-").start()) {
                b.awaitReady(START);
                assertThat(pods.exists(stale)).as("the stale pod %s is deleted by the time B is ready", stale).isFalse();
                assertThat(staleProcess.waitFor(30, TimeUnit.SECONDS)).as("the stale pod's process has ended")
                        .isTrue();
                await("router B's own warm pod is Ready", Duration.ofSeconds(60),
                        () -> pods.readyWarm(ROUTER_ID).size() == 1, b::logTail);
                assertThat(name(pods.readyWarm(ROUTER_ID).get(0))).isNotEqualTo(stale);

                // One request through B, on a pod.
                Http http = new Http(new URL(b.base().toString())).withKey(b.operatorKey());
                Http.Reply published = http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
                assertThat(published.status()).as(published.body()).isEqualTo(201);
                float[] audio = SileroRequests.audio(4);
                Http.Reply reply = http.post("/v2/models/vad/infer", SileroRequests.json("b", audio));
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                assertThat(SileroRequests.floats(reply.json().get("outputs").get(0).get("data")))
                        .containsExactly(SileroRequests.direct(SampleModels.silero(), audio)
                                .get(reply.json().get("outputs").get(0).get("name").asText()));
                List<Pod> claimed = pods.claimedFor(ROUTER_ID, "vad");
                assertThat(claimed).as("the request ran on a pod claimed for vad").hasSize(1);

                // SIGTERM: B deletes every pod of its id before it exits, and their processes end.
                List<Pod> before = pods.ofRouter(ROUTER_ID);
                assertThat(before).as("B's pods before SIGTERM").isNotEmpty();
                List<Process> processes = before.stream()
                        .map(pod -> cluster.kubelet().process(name(pod)).orElseThrow()).toList();
                ChildRouter.Stop stop = b.stop();
                assertThat(stop.forced()).as("B exited on SIGTERM\n" + b.logTail()).isFalse();
                assertThat(pods.ofRouter(ROUTER_ID)).as("no pod of router " + ROUTER_ID + " is left\n" + b.logTail())
                        .isEmpty();
                for (Process process : processes) {
                    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("a deleted pod's process has ended").isTrue();
                }
            }
        }
    }
}
