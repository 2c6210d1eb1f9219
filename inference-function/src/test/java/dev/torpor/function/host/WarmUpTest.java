package dev.torpor.function.host;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.torpor.function.onnx.TinyOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WarmUpTest {
    @Test
    void theBuiltInModelIsAValidOnnxGraphWithTheDocumentedSignature() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(TinyOnnx.addAndIdentity(), new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactlyInAnyOrder("a", "b", "x");
            assertThat(session.getOutputNames()).containsExactlyInAnyOrder("c", "y");
        }
    }

    @Test
    void warmUpRunsTheLoadAndCodecPathsAndLeavesNothingBehind() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before;
        try (var files = Files.list(tmp)) {
            before = files.filter(f -> f.getFileName().toString().startsWith("torpor-warm-up-")).count();
        }
        WarmUp.runOrThrow(OrtEnvironment.getEnvironment());
        assertThat(WarmUp.run(OrtEnvironment.getEnvironment())).isPositive();
        try (var files = Files.list(tmp)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("torpor-warm-up-")).count())
                    .isEqualTo(before);
        }
    }
}
