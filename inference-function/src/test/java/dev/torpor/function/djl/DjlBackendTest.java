package dev.torpor.function.djl;

import static dev.torpor.function.djl.DjlTestModels.djlMlp;
import static dev.torpor.function.djl.DjlTestModels.input;
import static dev.torpor.function.djl.DjlTestModels.manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.fixtures.DjlReference;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.Tensor;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlBackendTest {
    static final Signature MLP = new Signature(List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 8})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));
    private final DjlBackend backend = new DjlBackend();

    @TempDir
    Path dir;

    private static ModelDescriptor torch(String file, Signature signature) {
        return new ModelDescriptor(ModelFormat.TORCHSCRIPT, "PyTorch", file, signature, null);
    }

    private static InferenceRequest request(float[] x, int rows) {
        return new InferenceRequest("r", List.of(new Tensor("x", DataType.FP32, new long[] {rows, 8}, x)), List.of());
    }

    private Path copyTorchscript() throws Exception {
        return Files.copy(SampleModels.torchscript(), dir.resolve("mlp.pt"));
    }

    @Test
    void supportsTorchscriptAndDjlFormatsButNotPlainOnnx() {
        assertThat(backend.supports(ModelFormat.TORCHSCRIPT, null)).isTrue();
        assertThat(backend.supports(ModelFormat.TORCHSCRIPT, "PyTorch")).isTrue();
        assertThat(backend.supports(ModelFormat.DJL, "OnnxRuntime")).isTrue();
        assertThat(backend.supports(ModelFormat.DJL, "TensorFlow")).isFalse();
        assertThat(backend.supports(ModelFormat.ONNX, null)).isFalse();
    }

    @Test
    void torchscriptIsInspectedServedAndEqualsDjlCalledDirectly() throws Exception {
        Path pt = copyTorchscript();
        assertThat(backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", MLP))).isEqualTo(MLP);

        float[] x = input(3, 1);
        float[] expected = DjlReference.predict(pt, "PyTorch", null, x, 3, 8);
        ModelManifest manifest = manifest("ts", ModelFormat.TORCHSCRIPT, "PyTorch", "mlp.pt", MLP);
        try (Session session = backend.open(manifest, pt, RuntimeOptions.DEFAULT)) {
            List<Tensor> outputs = session.run(request(x, 3), new RunControl());
            assertThat(outputs).hasSize(1);
            assertThat(outputs.get(0).name()).isEqualTo("y");
            assertThat(outputs.get(0).datatype()).isEqualTo(DataType.FP32);
            assertThat(outputs.get(0).shape()).containsExactly(3, 1);
            assertThat((float[]) outputs.get(0).data()).containsExactly(expected);
        }
    }

    @Test
    void djlFormatParamsAreLoadedIntoTheNamedBlockAndEqualDjlCalledDirectly() throws Exception {
        Path params = djlMlp(dir);
        ModelDescriptor declared = ModelDescriptor.read(dir);
        assertThat(backend.inspect(params, ModelFormat.DJL, declared)).isEqualTo(MLP);

        float[] x = input(4, 2);
        float[] expected = DjlReference.predict(dir, "PyTorch", DjlBlocks.mlp(List.of(16), 1, "relu"), x, 4, 8);
        ModelManifest manifest = manifest("djl", ModelFormat.DJL, "PyTorch", "mlp-0000.params", MLP);
        try (Session session = backend.open(manifest, params, RuntimeOptions.DEFAULT)) {
            float[] got = (float[]) session.run(request(x, 4), new RunControl()).get(0).data();
            assertThat(got).containsExactly(expected);
        }
    }

    @Test
    void onnxThroughDjlIsDescribedByOnnxRuntimeAndAnswersLikeOnnxRuntime() throws Exception {
        Path onnx = Files.copy(SampleModels.ocrClassifier(), dir.resolve("cls.onnx"));
        ModelDescriptor declared = new ModelDescriptor(ModelFormat.DJL, "OnnxRuntime", "cls.onnx", null, null);
        Signature signature = backend.inspect(onnx, ModelFormat.DJL, declared);
        Signature direct = new OnnxBackend().inspect(onnx, ModelFormat.ONNX, null);
        assertThat(signature).isEqualTo(direct);

        String inputName = signature.inputs().get(0).name();
        float[] pixels = new float[3 * 48 * 192];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 97) / 97f;
        }
        InferenceRequest request = new InferenceRequest("r",
                List.of(new Tensor(inputName, DataType.FP32, new long[] {1, 3, 48, 192}, pixels)), List.of());
        ModelManifest djlManifest = manifest("cls", ModelFormat.DJL, "OnnxRuntime", "cls.onnx", signature);
        ModelManifest ortManifest = manifest("cls", ModelFormat.ONNX, null, "cls.onnx", signature);
        try (Session viaDjl = backend.open(djlManifest, onnx, RuntimeOptions.DEFAULT);
             Session viaOrt = new OnnxBackend().open(ortManifest, onnx, RuntimeOptions.DEFAULT)) {
            Tensor got = viaDjl.run(request, new RunControl()).get(0);
            Tensor want = viaOrt.run(request, new RunControl()).get(0);
            assertThat(got.name()).isEqualTo(want.name());
            assertThat(got.shape()).containsExactly(want.shape());
            assertThat((float[]) got.data()).containsExactly((float[]) want.data());
        }
    }

    @Test
    void aPtFileThatIsNotTorchscriptIsRefusedWithDjlsMessage() throws Exception {
        Path pt = Files.writeString(dir.resolve("model.pt"), "this is not a TorchScript archive");
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("model.pt", MLP)))
                .isInstanceOf(BadInput.class)
                .hasMessageStartingWith("PyTorch (DJL) cannot open the model: ")
                .hasMessageNotContaining(dir.toString());
    }

    @Test
    void datatypesDjlDoesNotExchangeAreRefusedNamingTheTensor() throws Exception {
        Path pt = copyTorchscript();
        Signature int16 = new Signature(List.of(new TensorSpec("x", DataType.INT16, new long[] {-1, 8})),
                MLP.outputs());
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", int16)))
                .isInstanceOf(BadInput.class).hasMessageContaining("input 'x' has datatype INT16");
        Signature bytes = new Signature(MLP.inputs(), List.of(new TensorSpec("y", DataType.BYTES, new long[] {-1})));
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", bytes)))
                .isInstanceOf(BadInput.class).hasMessageContaining("output 'y' has datatype BYTES");
    }

    @Test
    void aDeclarationTheModelDoesNotFitIsRefusedAtInspection() throws Exception {
        Path pt = copyTorchscript();
        Signature wrongOutput = new Signature(MLP.inputs(), List.of(new TensorSpec("y", DataType.FP64, new long[] {-1, 1})));
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", wrongOutput)))
                .isInstanceOf(BadInput.class).hasMessageContaining("returns FP32, model.json declares FP64");
        Signature wrongInput = new Signature(List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 5})),
                MLP.outputs());
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", wrongInput)))
                .isInstanceOf(BadInput.class).hasMessageContaining("cannot be multiplied");
        assertThatThrownBy(() -> backend.inspect(pt, ModelFormat.TORCHSCRIPT, torch("mlp.pt", null)))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'inputs' and 'outputs' are required");
    }

    @Test
    void paramsNeedAKnownBlockAndDjlsHeader() throws Exception {
        Path params = djlMlp(dir);
        ModelDescriptor good = ModelDescriptor.read(dir);
        ModelDescriptor unknown = new ModelDescriptor(ModelFormat.DJL, "PyTorch", "mlp-0000.params", MLP, null,
                "resnet", Map.of());
        assertThatThrownBy(() -> backend.inspect(params, ModelFormat.DJL, unknown))
                .isInstanceOf(BadInput.class).hasMessageContaining("unknown block 'resnet'");
        ModelDescriptor noBlock = new ModelDescriptor(ModelFormat.DJL, "PyTorch", "mlp-0000.params", MLP, null);
        assertThatThrownBy(() -> backend.inspect(params, ModelFormat.DJL, noBlock))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'block' is required");
        ModelDescriptor wrongShape = new ModelDescriptor(ModelFormat.DJL, "PyTorch", "mlp-0000.params", MLP, null,
                "mlp", Map.of("hidden", List.of(16, 16), "outputs", 1));
        assertThatThrownBy(() -> backend.inspect(params, ModelFormat.DJL, wrongShape))
                .isInstanceOf(BadInput.class).hasMessageStartingWith("PyTorch (DJL) cannot open the model");
        Path fake = Files.writeString(dir.resolve("fake-0001.params"), "not DJL");
        assertThatThrownBy(() -> backend.inspect(fake, ModelFormat.DJL, good))
                .isInstanceOf(BadInput.class).hasMessageContaining("not a DJL parameter file");
    }

    @Test
    void concurrentRunsEachGetTheirOwnPredictorAndTheSameAnswers() throws Exception {
        Path pt = copyTorchscript();
        float[] x = input(2, 5);
        float[] expected = DjlReference.predict(pt, "PyTorch", null, x, 2, 8);
        ModelManifest manifest = manifest("ts", ModelFormat.TORCHSCRIPT, null, "mlp.pt", MLP);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try (Session session = backend.open(manifest, pt, RuntimeOptions.DEFAULT)) {
            List<CompletableFuture<float[]>> answers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                answers.add(CompletableFuture.supplyAsync(
                        () -> (float[]) session.run(request(x, 2), new RunControl()).get(0).data(), threads));
            }
            for (CompletableFuture<float[]> answer : answers) {
                assertThat(answer.join()).containsExactly(expected);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void closeFreesTheModelAndLaterRunsAreRefused() throws Exception {
        Path pt = copyTorchscript();
        ModelManifest manifest = manifest("ts", ModelFormat.TORCHSCRIPT, null, "mlp.pt", MLP);
        DjlSession session = (DjlSession) backend.open(manifest, pt, RuntimeOptions.DEFAULT);
        session.run(request(input(1, 3), 1), new RunControl());
        var modelManager = session.modelManagerForTests();
        session.close();
        assertThat(modelManager.isOpen()).isFalse();
        session.close();
        assertThatThrownBy(() -> session.run(request(input(1, 3), 1), new RunControl()))
                .isInstanceOf(EngineFailure.class).hasMessageContaining("closed");
    }

    @Test
    void aModelThatCannotBeLoadedIsAModelLoadFailure() throws Exception {
        Path pt = Files.writeString(dir.resolve("broken.pt"), "nope");
        ModelManifest manifest = manifest("ts", ModelFormat.TORCHSCRIPT, null, "broken.pt", MLP);
        assertThatThrownBy(() -> backend.open(manifest, pt, RuntimeOptions.DEFAULT))
                .isInstanceOf(ModelLoadFailed.class).hasMessageStartingWith("DJL cannot load ts/1: ");
    }

    @Test
    void inputsMustBeTheDeclaredOnes() throws Exception {
        Path pt = copyTorchscript();
        ModelManifest manifest = manifest("ts", ModelFormat.TORCHSCRIPT, null, "mlp.pt", MLP);
        try (Session session = backend.open(manifest, pt, RuntimeOptions.DEFAULT)) {
            InferenceRequest unknown = new InferenceRequest("r",
                    List.of(new Tensor("z", DataType.FP32, new long[] {1, 8}, new float[8])), List.of());
            assertThatThrownBy(() -> session.run(unknown, new RunControl()))
                    .isInstanceOf(BadInput.class).hasMessageContaining("unknown input 'z'");
            InferenceRequest badOutput = new InferenceRequest("r", request(new float[8], 1).inputs(), List.of("q"));
            assertThatThrownBy(() -> session.run(badOutput, new RunControl()))
                    .isInstanceOf(BadInput.class).hasMessageContaining("unknown output 'q'");
        }
    }
}
