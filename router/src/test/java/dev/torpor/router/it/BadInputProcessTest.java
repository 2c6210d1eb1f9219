package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.HashMap;
import java.util.Map;

/** The same bad-input suite against function processes (no warm pool: every start is a fresh JVM). */
@MicronautTest
class BadInputProcessTest extends BadInputTest {
    @Override
    public Map<String, String> extraProperties() {
        Map<String, String> properties = new HashMap<>(super.extraProperties());
        properties.put("torpor.launcher", "process");
        properties.put("torpor.process.warm-pool-size", "0");
        return properties;
    }
}
