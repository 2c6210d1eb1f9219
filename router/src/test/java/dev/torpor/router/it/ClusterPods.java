package dev.torpor.router.it;

import dev.torpor.fixtures.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the kubernetes-launcher tests read from a {@link TestCluster}'s API, and bounded waits on it. */
final class ClusterPods {
    static final String ROUTER = "torpor.dev/router";
    static final String STATE = "torpor.dev/state";
    static final String MODEL = "torpor.dev/model";
    static final String VERSION = "torpor.dev/version";

    private final TestCluster cluster;

    ClusterPods(TestCluster cluster) {
        this.cluster = cluster;
    }

    /** The function pods carrying every one of {@code labels}. */
    List<Pod> withLabels(Map<String, String> labels) {
        return cluster.client().pods().inNamespace(cluster.namespace()).withLabels(labels).list().getItems();
    }

    /** The pods of a router. */
    List<Pod> ofRouter(String routerId) {
        return withLabels(Map.of(ROUTER, routerId));
    }

    /** The pods a router has claimed for {@code model}. */
    List<Pod> claimedFor(String routerId, String model) {
        return withLabels(Map.of(ROUTER, routerId, STATE, "claimed", MODEL, model));
    }

    /** The router's warm pods that are Ready now. */
    List<Pod> readyWarm(String routerId) {
        return withLabels(Map.of(ROUTER, routerId, STATE, "warm")).stream().filter(ClusterPods::isReady).toList();
    }

    /** The pod, or null when it is gone. */
    Pod get(String name) {
        return cluster.client().pods().inNamespace(cluster.namespace()).withName(name).get();
    }

    /** Whether the pod exists (a failed assertion on this prints its name, not the whole pod). */
    boolean exists(String name) {
        return get(name) != null;
    }

    static String name(Pod pod) {
        return pod.getMetadata().getName();
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} when {@code timeout} passes first. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(what, timeout, condition, () -> "");
    }

    /** As {@link #await(String, Duration, BooleanSupplier)}, the failure also saying {@code state}. */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what + " " + state.get());
            }
            Thread.sleep(50);
        }
    }
}
