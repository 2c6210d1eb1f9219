package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The same serve-from-zero suite with every instance in its own function process (warm pool of one). */
@MicronautTest
class ServeFromZeroProcessTest extends ServeFromZeroTest {
    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.launcher", "process", "torpor.process.warm-pool-size", "1");
    }
}
