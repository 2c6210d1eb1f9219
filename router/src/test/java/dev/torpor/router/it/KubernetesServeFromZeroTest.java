package dev.torpor.router.it;

import dev.torpor.fixtures.TestCluster;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The same serve-from-zero suite with the kubernetes launcher: every instance in a function pod of a
 * {@link TestCluster} (fabric8's mock API server and the test kubelet, which runs each pod as a local function host
 * on its own loopback address), one warm pod kept for cold starts.
 */
@MicronautTest
class KubernetesServeFromZeroTest extends ServeFromZeroTest {
    private TestCluster cluster;

    @Override
    public Map<String, String> extraProperties() {
        if (cluster == null) {
            try {
                // Read (PER_CLASS) before the router starts: the cluster must be there for its launcher.
                cluster = TestCluster.start("torpor-it", Files.createTempDirectory("torpor-it-k8s-"));
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
        }
        Map<String, String> properties = new HashMap<>(TestClusterClient.properties(cluster, "it-serve-from-zero"));
        properties.put("torpor.k8s.warm-pods", "1");
        return properties;
    }

    /** The router first (it deletes its pods through the cluster), then the cluster. */
    @AfterAll
    void stopRouterThenCluster() {
        server.getApplicationContext().stop();
        cluster.close();
    }
}
