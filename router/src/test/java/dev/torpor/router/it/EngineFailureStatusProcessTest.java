package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The same engine failures in a function process: the input's fault crosses the frame protocol as the same 422. */
@MicronautTest
class EngineFailureStatusProcessTest extends EngineFailureStatusTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
