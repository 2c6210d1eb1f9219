package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The same bad-input suite against function processes (no warm pool: every start is a fresh JVM). */
@MicronautTest
class BadInputProcessTest extends BadInputTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
