package dev.torpor.router.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.store.ModelFormat;
import org.junit.jupiter.api.Test;

class OipPlatformTest {
    @Test
    void onnxIsOnnxV1WhoeverRunsIt() {
        assertThat(OipPlatform.of(ModelFormat.ONNX, null, "model.onnx")).isEqualTo("onnx_onnxv1");
        assertThat(OipPlatform.of(ModelFormat.DJL, "OnnxRuntime", "m.onnx")).isEqualTo("onnx_onnxv1");
        assertThat(OipPlatform.of(ModelFormat.DJL, "OnnxRuntime", "nested/m-0001.params")).isEqualTo("onnx_onnxv1");
    }

    @Test
    void torchScriptIsPytorchTorchscriptAlsoInsideADjlArchive() {
        assertThat(OipPlatform.of(ModelFormat.TORCHSCRIPT, null, "model.pt")).isEqualTo("pytorch_torchscript");
        assertThat(OipPlatform.of(ModelFormat.TORCHSCRIPT, "PyTorch", "model.pt")).isEqualTo("pytorch_torchscript");
        assertThat(OipPlatform.of(ModelFormat.DJL, "PyTorch", "m/model.pt")).isEqualTo("pytorch_torchscript");
        assertThat(OipPlatform.of(ModelFormat.DJL, null, "model.pt")).isEqualTo("pytorch_torchscript");
    }

    @Test
    void djlsOwnParametersAreDjlParams() {
        assertThat(OipPlatform.of(ModelFormat.DJL, "PyTorch", "mlp-0005.params")).isEqualTo("djl_params");
        assertThat(OipPlatform.of(ModelFormat.DJL, null, "dir/mlp-0000.params")).isEqualTo("djl_params");
        assertThat(OipPlatform.of(ModelFormat.DJL, "PyTorch", "mlp.params")).isEqualTo("pytorch_torchscript");
    }

    @Test
    void everyPlatformHasTheProtocolsProjectUnderscoreFormatShape() {
        for (ModelFormat format : ModelFormat.values()) {
            for (String engine : new String[] {null, "PyTorch", "OnnxRuntime"}) {
                assertThat(OipPlatform.of(format, engine, "x-0001.params")).matches("[a-z0-9]+_[a-z0-9]+");
            }
        }
    }
}
