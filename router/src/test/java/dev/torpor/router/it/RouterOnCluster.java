package dev.torpor.router.it;

import dev.torpor.fixtures.TestCluster;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * The test cluster of one in-JVM router test class (PER_CLASS): started when the class's properties are first read,
 * before the router, whose launcher needs it; closed after the router has stopped (the router deletes its pods
 * through it). Not thread-safe: a test class's lifecycle methods call it in turn.
 */
final class RouterOnCluster {
    private final String namespace;
    private TestCluster cluster;
    private ClusterPods pods;

    RouterOnCluster(String namespace) {
        this.namespace = namespace;
    }

    /** The router's properties for the kubernetes launcher on this class's cluster (started now if need be), and {@code more}. */
    Map<String, String> properties(String routerId, Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(TestClusterClient.properties(cluster(), routerId));
        properties.putAll(more);
        return properties;
    }

    TestCluster cluster() {
        if (cluster == null) {
            try {
                cluster = TestCluster.start(namespace, Files.createTempDirectory("torpor-it-k8s-"));
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
            pods = new ClusterPods(cluster);
        }
        return cluster;
    }

    ClusterPods pods() {
        cluster();
        return pods;
    }

    /** Stops the router, runs {@code thenCheck} (e.g. that it left no pod), and closes the cluster whatever happens. */
    void stopRouterThenCluster(EmbeddedServer server, Runnable thenCheck) {
        try {
            server.getApplicationContext().stop();
            thenCheck.run();
        } finally {
            cluster.close();
        }
    }
}
