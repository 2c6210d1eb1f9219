package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.HashMap;
import java.util.Map;

/**
 * The same failures in a function process: the engine's error and the output limit cross the UDS frame
 * protocol as the same 422 and 413, and the process serves on.
 */
@MicronautTest
class FailureIsolationProcessTest extends FailureIsolationTest {
    @Override
    public Map<String, String> extraProperties() {
        Map<String, String> properties = new HashMap<>(super.extraProperties());
        properties.put("torpor.launcher", "process");
        properties.put("torpor.process.warm-pool-size", "0");
        return properties;
    }
}
