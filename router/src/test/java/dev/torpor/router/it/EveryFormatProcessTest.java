package dev.torpor.router.it;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;

/**
 * Every format on the default launcher, function processes: an ONNX model in an archive for DJL once never
 * loaded there (the process had created ONNX Runtime's environment before DJL's engine could).
 */
@MicronautTest
class EveryFormatProcessTest extends EveryFormatTest {
    @Override
    public Map<String, String> extraProperties() {
        return TorporTestProperties.withFunctionProcesses(super.extraProperties());
    }
}
