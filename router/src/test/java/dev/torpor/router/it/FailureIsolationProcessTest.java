package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/**
 * The same failures in a function process: the engine's error and the output limit cross the UDS frame
 * protocol as the same 422 and 413, and the process serves on.
 */
@MicronautTest
class FailureIsolationProcessTest extends FailureIsolationTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
