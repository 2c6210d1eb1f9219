package dev.torpor.router.it;

import dev.torpor.fixtures.TestCluster;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The same serve-from-zero suite with the kubernetes launcher: every instance in a function pod of a
 * {@link TestCluster} (fabric8's mock API server and the test kubelet, which runs each pod as a local function host
 * on its own loopback address), one warm pod kept for cold starts.
 */
@MicronautTest
class KubernetesServeFromZeroTest extends ServeFromZeroTest {
    private final RouterOnCluster onCluster = new RouterOnCluster("torpor-it");

    @Override
    public Map<String, String> extraProperties() {
        return onCluster.properties("it-serve-from-zero", Map.of("torpor.k8s.warm-pods", "1"));
    }

    @AfterAll
    void stopRouterThenCluster() {
        onCluster.stopRouterThenCluster(server, () -> { });
    }
}
