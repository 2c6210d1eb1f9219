package dev.torpor.function.onnx;

import static dev.torpor.function.onnx.Samples.manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.RuntimeOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A session on a GPU asks ONNX Runtime for its CUDA execution provider. The default build ships the CPU-only
 * runtime (and no GPU exists on the build machines): the load must fail with a clear reason, not crash.
 * Under {@code mvn -Pgpu} on a CUDA machine the same call opens the session on the GPU — unverified here.
 */
class OnnxGpuTest {

    @Test
    void aGpuSessionWithoutTheCudaProviderFailsToLoadWithAClearReason() {
        Path model = SampleModels.silero();
        OnnxBackend backend = new OnnxBackend();
        boolean cudaBuild = ai.onnxruntime.OrtEnvironment.getAvailableProviders()
                .contains(ai.onnxruntime.OrtProvider.CUDA);
        if (cudaBuild) {
            return; // the gpu profile on a machine with CUDA: covered by running the router there
        }
        assertThatThrownBy(() -> backend.open(manifest("m", model), model, new RuntimeOptions(1, 1, 0)))
                .isInstanceOf(ModelLoadFailed.class)
                .hasMessageContaining("CUDA execution provider cannot start")
                .hasMessageContaining("gpu:0");
        assertThat(new RuntimeOptions(1, 1).onGpu()).isFalse();
    }
}
