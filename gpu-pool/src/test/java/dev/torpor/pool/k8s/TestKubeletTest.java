package dev.torpor.pool.k8s;

import dev.torpor.fixtures.TestKubelet;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.process.TestDialer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test kubelet on fabric8's mock API server (CRUD mode): pods written to the pod contract of API.md run as real
 * function hosts on their own loopback addresses, a router dials them with their token, deleting a pod kills its
 * process, an exiting container fails or ends its pod, and the Unschedulable hook leaves a pod Pending with no process.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TestKubeletTest {
    private static final String NAMESPACE = "torpor-test";
    static KubernetesClient client;

    @TempDir
    Path workDir;
    private final ExecutorService completions = Executors.newCachedThreadPool();
    private TestKubelet kubelet;

    @AfterEach
    void cleanUp() {
        if (kubelet != null) {
            kubelet.close();
        }
        completions.shutdownNow();
    }

    @Test
    void podsRunAsFunctionHostsOnTheirOwnAddressesAndDieWithTheirPods() throws Exception {
        kubelet = TestKubelet.start(client, NAMESPACE, workDir);
        String token1 = UUID.randomUUID().toString();
        String token2 = UUID.randomUUID().toString();
        client.pods().inNamespace(NAMESPACE).resource(functionPod("fn-1", token1,
                List.of("java", "-Xmx128m", "-cp", TestKubelet.IMAGE_JAR,
                        "dev.torpor.function.host.FunctionHost", "--listen"))).create();
        client.pods().inNamespace(NAMESPACE).resource(functionPod("fn-2", token2,
                List.of("/usr/lib/jvm/java-17/bin/java", "-Xmx128m", "-jar", TestKubelet.IMAGE_JAR, "--listen")))
                .create();

        Pod first = awaitReady("fn-1");
        Pod second = awaitReady("fn-2");
        assertThat(first.getStatus().getPhase()).isEqualTo("Running");
        assertThat(first.getStatus().getPodIP()).startsWith("127.0.0.");
        assertThat(second.getStatus().getPodIP()).startsWith("127.0.0.").isNotEqualTo(first.getStatus().getPodIP());

        Process process1 = kubelet.process("fn-1").orElseThrow();
        Process process2 = kubelet.process("fn-2").orElseThrow();
        try (TestDialer.Dialed dialed = dial(first, token1)) {
            assertThat(dialed.helloPid()).as("HELLO comes from the pod's process").isEqualTo(process1.pid());
            client.pods().inNamespace(NAMESPACE).withName("fn-1").delete();
            assertThat(process1.waitFor(TestKubelet.KILL_GRACE.toSeconds() + 10, TimeUnit.SECONDS))
                    .as("a deleted pod's process is gone").isTrue();
        }

        // The router ends its connection: the host exits, and the pod says so with the container's exit code.
        TestDialer.Dialed dialed2 = dial(second, token2);
        assertThat(dialed2.helloPid()).isEqualTo(process2.pid());
        dialed2.close();
        Pod ended = client.pods().inNamespace(NAMESPACE).withName("fn-2").waitUntilCondition(
                pod -> pod != null && List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase()),
                60, TimeUnit.SECONDS);
        assertThat(process2.isAlive()).isFalse();
        var terminated = ended.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(process2.exitValue());
        assertThat(ended.getStatus().getPhase()).isEqualTo(process2.exitValue() == 0 ? "Succeeded" : "Failed");
        assertThat(condition(ended, "Ready").getStatus()).isEqualTo("False");
        assertThat(kubelet.log("fn-2")).content().doesNotContain(token2);
        client.pods().inNamespace(NAMESPACE).withName("fn-2").delete();
    }

    @Test
    void anUnschedulablePodStaysPendingWithItsReasonAndStartsNothing() throws Exception {
        kubelet = TestKubelet.start(client, NAMESPACE, workDir);
        String message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
        kubelet.leaveUnschedulable(pod -> pod.getMetadata().getName().startsWith("gpu-"), message);
        client.pods().inNamespace(NAMESPACE).resource(functionPod("gpu-1", "t",
                List.of("java", "-cp", TestKubelet.IMAGE_JAR, "dev.torpor.function.host.FunctionHost", "--listen")))
                .create();

        Pod pending = client.pods().inNamespace(NAMESPACE).withName("gpu-1").waitUntilCondition(
                pod -> pod.getStatus() != null && condition(pod, "PodScheduled") != null, 30, TimeUnit.SECONDS);
        PodCondition scheduled = condition(pending, "PodScheduled");
        assertThat(scheduled.getStatus()).isEqualTo("False");
        assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
        assertThat(scheduled.getMessage()).isEqualTo(message);
        Thread.sleep(500);
        Pod later = client.pods().inNamespace(NAMESPACE).withName("gpu-1").get();
        assertThat(later.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(later.getStatus().getPodIP()).isNull();
        assertThat(kubelet.process("gpu-1")).as("no process for an unschedulable pod").isEmpty();
        client.pods().inNamespace(NAMESPACE).withName("gpu-1").delete();
    }

    private TestDialer.Dialed dial(Pod pod, String token) throws Exception {
        return TestDialer.dial(pod.getMetadata().getName(), new InetSocketAddress(pod.getStatus().getPodIP(), 9000),
                token, Duration.ofSeconds(10), completions);
    }

    private static Pod awaitReady(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name).waitUntilCondition(pod -> pod != null
                && pod.getStatus() != null && condition(pod, "Ready") != null
                && "True".equals(condition(pod, "Ready").getStatus()), 90, TimeUnit.SECONDS);
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElse(null);
    }

    /** A function pod as API.md's pod contract writes it. */
    private static Pod functionPod(String name, String token, List<String> command) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels("app.kubernetes.io/name", "torpor")
                .addToLabels(TestKubelet.COMPONENT_LABEL, "function")
                .addToLabels("torpor.dev/router", "test-router")
                .addToLabels("torpor.dev/state", "warm")
                .endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("function").withImage("torpor:test").withCommand(command)
                .addNewEnv().withName("TORPOR_FUNCTION_TOKEN").withValue(token).endEnv()
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
                .addNewPort().withName("torpor").withContainerPort(9000).endPort()
                .withNewReadinessProbe().withNewTcpSocket().withNewPort("torpor").endTcpSocket().endReadinessProbe()
                .endContainer().endSpec().build();
    }
}
