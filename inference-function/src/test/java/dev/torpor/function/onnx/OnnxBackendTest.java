package dev.torpor.function.onnx;

import static dev.torpor.function.onnx.Samples.manifest;
import static dev.torpor.function.onnx.Samples.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.torpor.error.BadInput;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnnxBackendTest {
    private final OnnxBackend backend = new OnnxBackend();
    @TempDir
    Path dir;

    private Signature inspect(Path model) {
        return backend.inspect(model, ModelFormat.ONNX, null);
    }

    private BadInput refusal(Path model) {
        BadInput error = catchThrowableOfType(BadInput.class, () -> inspect(model));
        assertThat(error).as("inspecting %s", model).isNotNull();
        assertThat(error.kind()).isEqualTo(ErrorKind.BAD_INPUT);
        return error;
    }

    private static TensorSpec spec(String name, DataType type, long... shape) {
        return new TensorSpec(name, type, shape);
    }

    @Test
    void isTheOnnxRuntimeBackend() {
        assertThat(backend.name()).isEqualTo("onnxruntime");
        assertThat(backend.supports(ModelFormat.ONNX, null)).isTrue();
        assertThat(backend.supports(ModelFormat.ONNX, "OnnxRuntime")).isTrue();
        assertThat(backend.supports(ModelFormat.ONNX, "PyTorch")).isFalse();
        assertThat(backend.supports(ModelFormat.TORCHSCRIPT, null)).isFalse();
        assertThat(backend.supports(ModelFormat.DJL, "OnnxRuntime")).isFalse();
    }

    @Test
    void inspectsSileroVadAsOrtReportsIt() {
        Signature signature = inspect(SampleModels.silero());
        assertThat(signature.inputs()).containsExactly(
                spec("input", DataType.FP32, -1, -1),
                spec("state", DataType.FP32, 2, -1, 128),
                spec("sr", DataType.INT64));
        assertThat(signature.outputs()).containsExactly(
                spec("output", DataType.FP32, -1, 1),
                spec("stateN", DataType.FP32, -1, -1, -1));
    }

    @Test
    void inspectsOcrClsAsOrtReportsIt() {
        Signature signature = inspect(SampleModels.ocrClassifier());
        assertThat(signature.inputs()).containsExactly(spec("x", DataType.FP32, -1, 3, -1, -1));
        assertThat(signature.outputs()).containsExactly(spec("softmax_0.tmp_0", DataType.FP32, -1, 2));
    }

    @Test
    void keepsSymbolicDimensionsAsMinusOne() {
        assertThat(inspect(write(dir, "m.onnx", OnnxModels.identity(OnnxModels.FLOAT, "N", 3, "M"))).inputs())
                .containsExactly(spec("x", DataType.FP32, -1, 3, -1));
        assertThat(inspect(write(dir, "s.onnx", OnnxModels.identity(OnnxModels.INT64))).outputs())
                .containsExactly(spec("y", DataType.INT64));
        assertThat(inspect(write(dir, "a.onnx", OnnxModels.add(OnnxModels.DOUBLE, 4))))
                .isEqualTo(new Signature(List.of(spec("a", DataType.FP64, 4), spec("b", DataType.FP64, 4)),
                        List.of(spec("c", DataType.FP64, 4))));
    }

    @ParameterizedTest
    @CsvSource({
            "1,  FP32", "2,  UINT8", "3,  INT8", "5,  INT16", "6,  INT32", "7,  INT64", "8,  BYTES", "9,  BOOL",
            "10, FP16", "11, FP64"})
    void mapsEveryExchangeableElementType(int onnxType, String expected) {
        DataType type = DataType.valueOf(expected);
        Signature signature = inspect(write(dir, "m.onnx", OnnxModels.identity(onnxType, 2)));
        assertThat(signature.inputs()).containsExactly(spec("x", type, 2));
        assertThat(signature.outputs()).containsExactly(spec("y", type, 2));
    }

    @ParameterizedTest
    @CsvSource({"4, UINT16", "12, UINT32", "13, UINT64"})
    void refusesUnsignedTypesOrtsJavaApiCannotExchange(int onnxType, String name) {
        assertThat(refusal(write(dir, "m.onnx", OnnxModels.identity(onnxType, "N"))))
                .hasMessage("input 'x' has datatype " + name + ", which ONNX Runtime's Java API cannot exchange");
    }

    @Test
    void refusesTypesWithoutAProtocolDatatype() {
        assertThat(refusal(write(dir, "m.onnx", OnnxModels.identity(OnnxModels.BFLOAT16, 2))))
                .hasMessageStartingWith("input 'x' has ONNX element type BFLOAT16, which has no Open Inference Protocol");
    }

    @Test
    void refusesOutputsThatAreNotTensors() {
        assertThat(refusal(write(dir, "m.onnx", OnnxModels.sequenceOutput(OnnxModels.FLOAT, 2))))
                .hasMessageStartingWith("output 's' is a sequence, not a tensor");
    }

    @Test
    void refusesAFileOrtCannotOpen() {
        assertThat(refusal(write(dir, "garbage.onnx", "this is not a model".getBytes())))
                .hasMessageStartingWith("ONNX Runtime cannot open the model: ")
                .hasMessageContaining("Protobuf parsing failed")
                .hasMessageNotContaining("Error code").hasMessageNotContaining(dir.toString());
        assertThat(refusal(dir.resolve("missing.onnx"))).hasMessageStartingWith("ONNX Runtime cannot open the model: ");
    }

    @Test
    void refusesOtherFormatsAndEngines() {
        Path model = write(dir, "m.onnx", OnnxModels.identity(OnnxModels.FLOAT, 2));
        assertThatThrownBy(() -> backend.inspect(model, ModelFormat.TORCHSCRIPT, null)).isInstanceOf(BadInput.class)
                .hasMessageContaining("torchscript");
        ModelDescriptor pytorch = new ModelDescriptor(ModelFormat.ONNX, "PyTorch", "m.onnx", null, null);
        assertThatThrownBy(() -> backend.inspect(model, ModelFormat.ONNX, pytorch)).isInstanceOf(BadInput.class)
                .hasMessageContaining("PyTorch");
        ModelDescriptor ort = new ModelDescriptor(ModelFormat.ONNX, "OnnxRuntime", "m.onnx", null, null);
        assertThat(backend.inspect(model, ModelFormat.ONNX, ort).inputs()).hasSize(1);
    }

    @Test
    void aModelOrtCannotLoadIsAModelLoadFailedWithOrtsReason() {
        Path garbage = write(dir, "garbage.onnx", new byte[] {1, 2, 3, 4, 5});
        ModelLoadFailed error = catchThrowableOfType(ModelLoadFailed.class,
                () -> backend.open(manifest("broken", garbage), garbage, RuntimeOptions.DEFAULT));
        assertThat(error).isNotNull();
        assertThat(error.kind()).isEqualTo(ErrorKind.MODEL_LOAD_FAILED);
        assertThat(error.retryAfter()).contains(Duration.ofSeconds(10));
        assertThat(error).hasMessageStartingWith("ONNX Runtime cannot load broken/1: ")
                .hasMessageContaining("Protobuf parsing failed").hasMessageNotContaining(dir.toString());
        assertThat(error.getCause()).isInstanceOf(ai.onnxruntime.OrtException.class);
    }
}
