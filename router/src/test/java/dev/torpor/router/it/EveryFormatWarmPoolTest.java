package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.HashMap;
import java.util.Map;

/**
 * Every format on function processes with the launcher's warm pool, as a router runs by default: a pooled
 * process has made ONNX Runtime's environment itself, so an ONNX model in an archive for DJL must get a
 * process of its own, and every other format still takes the pooled one.
 */
@MicronautTest
class EveryFormatWarmPoolTest extends EveryFormatTest {
    @Override
    public Map<String, String> extraProperties() {
        Map<String, String> properties = new HashMap<>(super.extraProperties());
        properties.put("torpor.launcher", "process");
        properties.put("torpor.process.warm-pool-size", "1");
        return properties;
    }
}
