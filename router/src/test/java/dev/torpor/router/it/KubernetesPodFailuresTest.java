package dev.torpor.router.it;

import static dev.torpor.router.it.ClusterPods.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.SampleModels;
import dev.torpor.fixtures.TestCluster;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How a router with the kubernetes launcher answers when the cluster does not give it a pod: a pod the scheduler
 * leaves Pending, and the API server refusing the create (RBAC). No warm pods (every cold start creates a pod of its
 * own) and a 2 s pod start timeout; the request that waits gets a 503 whose {@code error} says which pod and why.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubernetesPodFailuresTest implements TorporTestProperties {
    private static final String ROUTER_ID = "it-pod-failures";
    private static final String NAMESPACE = "torpor-it";

    @Inject
    EmbeddedServer server;
    private final RouterOnCluster onCluster = new RouterOnCluster(NAMESPACE);
    private TestCluster cluster;
    private ClusterPods pods;
    private Http http;

    @Override
    public Map<String, String> extraProperties() {
        cluster = onCluster.cluster();
        pods = onCluster.pods();
        return onCluster.properties(ROUTER_ID, Map.of("torpor.k8s.warm-pods", "0",
                "torpor.k8s.pod-start-timeout-seconds", "2"));
    }

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    @AfterAll
    void stopRouterThenCluster() {
        onCluster.stopRouterThenCluster(server, () -> { });
    }

    private void publishSilero(String model) {
        Http.Reply published = http.putFile("/v2/repository/models/" + model + "/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    @Test
    void anUnschedulablePodIsA503NamingThePodAndItsConditionAndThePodIsDeleted() throws Exception {
        publishSilero("vad-pending");
        cluster.kubelet().leaveUnschedulable(pod -> "vad-pending".equals(pod.getMetadata().getLabels()
                .get(ClusterPods.MODEL)), "0/3 nodes are available: 3 Insufficient memory.");
        try {
            long start = System.nanoTime();
            Http.Reply reply = http.post("/v2/models/vad-pending/infer", SileroRequests.json("p", SileroRequests.audio(1)));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(reply.status()).as(reply.body()).isEqualTo(503);
            String error = reply.json().get("error").asText();
            Matcher named = Pattern.compile("pod (torpor-fn-[a-z0-9]{10}) not Ready after 2 s: PodScheduled=False "
                    + "Unschedulable: 0/3 nodes are available: 3 Insufficient memory\\.").matcher(error);
            assertThat(named.find()).as(error).isTrue();
            assertThat(waitedMs).as("the request waited for the start timeout").isGreaterThanOrEqualTo(2000);
            String pod = named.group(1);
            assertThat(cluster.kubelet().process(pod)).as("the pod never ran").isEmpty();
            await("the pod that was not Ready in time is deleted", Duration.ofSeconds(30), () -> pods.get(pod) == null);
            assertThat(pods.ofRouter(ROUTER_ID)).isEmpty();
        } finally {
            cluster.kubelet().leaveUnschedulable(pod -> false, "");
        }
    }

    @Test
    void theApiServerRefusingTheCreateIsA503WithItsReasonAndNoPod() throws Exception {
        publishSilero("vad-forbidden");
        cluster.server().expect().post().withPath("/api/v1/namespaces/" + NAMESPACE + "/pods")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage("pods is forbidden: User \"system:serviceaccount:torpor:torpor\" cannot create "
                                + "resource \"pods\" in API group \"\" in the namespace \"" + NAMESPACE + "\"")
                        .build()).once();
        Http.Reply reply = http.post("/v2/models/vad-forbidden/infer", SileroRequests.json("f", SileroRequests.audio(2)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        String error = reply.json().get("error").asText();
        assertThat(error).contains("refused to create pod torpor-fn-").contains("403 Forbidden: pods is forbidden");
        assertThat(pods.ofRouter(ROUTER_ID)).as("no pod was created").isEmpty();
    }
}
