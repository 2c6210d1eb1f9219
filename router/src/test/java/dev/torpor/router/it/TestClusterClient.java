package dev.torpor.router.it;

import dev.torpor.fixtures.TestCluster;
import dev.torpor.router.TorporFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives an in-JVM router (a {@code @MicronautTest} class) the Kubernetes client of a {@link TestCluster} instead of
 * the one fabric8's usual configuration would make: active only when the test's properties name a cluster
 * ({@link #properties}), and then a fresh client of that cluster, which the router closes when it stops (as it
 * closes its own). A plain singleton rather than a {@code @MockBean}: Micronaut test refreshes mock beans before
 * every test method, and the launcher's informer must keep the client it started with for the router's whole life.
 */
@Factory
@Requires(property = TestClusterClient.CLUSTER)
public class TestClusterClient {
    /** The property naming the cluster (its master URL). */
    static final String CLUSTER = "torpor.test.kubernetes-cluster";
    private static final Map<String, TestCluster> CLUSTERS = new ConcurrentHashMap<>();

    /**
     * A router's properties for the kubernetes launcher on {@code cluster}: its namespace, this router's id, and the
     * cluster's client. The cluster must be started (it is, by the time the test's properties are read).
     */
    static Map<String, String> properties(TestCluster cluster, String routerId) {
        CLUSTERS.put(cluster.masterUrl(), cluster);
        Map<String, String> properties = new HashMap<>();
        properties.put("torpor.launcher", "kubernetes");
        properties.put("torpor.k8s.namespace", cluster.namespace());
        properties.put("torpor.k8s.router-id", routerId);
        properties.put(CLUSTER, cluster.masterUrl());
        return properties;
    }

    @Singleton
    @Replaces(bean = KubernetesClient.class, factory = TorporFactory.class)
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient(@Property(name = CLUSTER) String masterUrl) {
        TestCluster cluster = CLUSTERS.get(masterUrl);
        if (cluster == null) {
            throw new IllegalStateException("no test cluster at " + masterUrl + " (start it before the router)");
        }
        return cluster.server().createClient();
    }
}
