package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/** The same batching checks with the model in a function process, which batches inside itself. */
@MicronautTest
class BatchingProcessTest extends BatchingTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
