package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/**
 * The same DJL suite (TorchScript and DJL-format samples: served, compared with DJL called directly, reaped,
 * woken by a burst) against function processes, which load PyTorch from the router's DJL cache.
 */
@MicronautTest
class DjlServeProcessTest extends DjlServeTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
