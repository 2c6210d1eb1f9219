package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.initializer.NormalInitializer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.OrtEnvironments;
import dev.torpor.function.djl.DjlBlocks;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every format a model can be published in, served by this launcher (in-process here, function processes in
 * {@link EveryFormatProcessTest}): a single {@code .onnx} file, an ONNX archive, an ONNX model in an archive for
 * DJL ({@code "engine": "OnnxRuntime"}), a TorchScript archive and a DJL-format ({@code .params}) archive. Each
 * answers a cold and a warm request exactly as its engine called directly does.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryFormatTest implements TorporTestProperties {
    private static final long[] IMAGE = {1, 3, 48, 192};

    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    @Test
    void aSingleOnnxFile() throws Exception {
        Http.Reply published = http.putFile("/v2/repository/models/file/versions/1", SampleModels.ocrClassifier());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        assertAnswersLikeOnnxRuntime("file");
    }

    @Test
    void anOnnxArchive() throws Exception {
        publishZip("onnxzip", TestArchives.zip("model.json",
                utf8("{\"format\": \"onnx\", \"file\": \"cls.onnx\"}"), "cls.onnx", ocrBytes()));
        assertAnswersLikeOnnxRuntime("onnxzip");
    }

    @Test
    void anOnnxModelInAnArchiveForDjl() throws Exception {
        String descriptor = "{\"format\": \"djl\", \"engine\": \"OnnxRuntime\", \"file\": \"cls.onnx\", "
                + "\"inputs\": [" + specs(true) + "], \"outputs\": [" + specs(false) + "]}";
        publishZip("djlonnx", TestArchives.zip("model.json", utf8(descriptor), "cls.onnx", ocrBytes()));
        assertAnswersLikeOnnxRuntime("djlonnx");
    }

    @Test
    void aTorchscriptArchive() throws Exception {
        publishZip("ts", DjlModels.bytes(DjlModels.TORCHSCRIPT_ZIP));
        float[] x = DjlModels.input(3, 21);
        assertAnswers("ts", DjlModels.json("r", x, 3), DjlModels.direct(DjlModels.TORCHSCRIPT_ZIP, x, 3));
    }

    @Test
    void aDjlParamsArchive() throws Exception {
        Path dir = Files.createTempDirectory("djl-params-");
        try (Model model = Model.newInstance("mlp", "PyTorch")) {
            Block block = DjlBlocks.mlp(List.of(16, 16), 1, "relu");
            block.setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            model.setBlock(block);
            model.save(dir, "mlp");
        }
        String descriptor = """
                {"format": "djl", "engine": "PyTorch", "file": "mlp-0000.params",
                 "block": "mlp", "blockArguments": {"hidden": [16, 16], "outputs": 1, "activation": "relu"},
                 "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""";
        byte[] zip = TestArchives.zip("model.json", utf8(descriptor),
                "mlp-0000.params", Files.readAllBytes(dir.resolve("mlp-0000.params")));
        publishZip("params", zip);
        float[] x = DjlModels.input(4, 22);
        assertAnswers("params", DjlModels.json("r", x, 4), DjlModels.directOnParams(dir, x, 4));
    }

    private void publishZip(String name, byte[] zip) {
        Http.Reply published = http.put("/v2/repository/models/" + name + "/versions/1", "application/zip", zip);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    /** The OCR classifier's answer to a fixed image, through the router and through ONNX Runtime directly. */
    private void assertAnswersLikeOnnxRuntime(String name) throws Exception {
        String input = http.get("/v2/models/" + name).json().get("inputs").get(0).get("name").asText();
        float[] pixels = new float[3 * 48 * 192];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 97) / 97f;
        }
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < pixels.length; i++) {
            data.append(i == 0 ? "" : ",").append(pixels[i]);
        }
        String request = "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP32\",\"shape\":"
                + Arrays.toString(IMAGE).replace(" ", "") + ",\"data\":[" + data + "]}]}";
        OrtEnvironment env = OrtEnvironments.shared();
        float[] expected;
        try (OrtSession session = env.createSession(SampleModels.ocrClassifier().toString());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), IMAGE);
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            expected = ((OnnxTensor) result.get(0)).getFloatBuffer().array();
        }
        assertAnswers(name, request, expected);
    }

    private void assertAnswers(String name, String request, float[] expected) {
        for (String round : List.of("cold", "warm")) {
            Http.Reply answer = http.post("/v2/models/" + name + "/infer", request);
            assertThat(answer.status()).as(round + " " + name + ": " + answer.body()).isEqualTo(200);
            assertThat(answer.header("torpor-cold-start")).isEqualTo(round.equals("cold") ? "true" : "false");
            assertThat(SileroRequests.floats(answer.json().get("outputs").get(0).get("data")))
                    .as(round + " " + name).containsExactly(expected);
        }
    }

    /** The OCR classifier's inputs (or outputs) as model.json declares them, read from ONNX Runtime. */
    private static String specs(boolean inputs) throws Exception {
        try (OrtSession session = OrtEnvironments.shared().createSession(SampleModels.ocrClassifier().toString())) {
            Map<String, NodeInfo> nodes = inputs ? session.getInputInfo() : session.getOutputInfo();
            StringBuilder json = new StringBuilder();
            for (NodeInfo node : nodes.values()) {
                long[] shape = ((TensorInfo) node.getInfo()).getShape();
                json.append(json.length() == 0 ? "" : ",").append("{\"name\": \"").append(node.getName())
                        .append("\", \"datatype\": \"FP32\", \"shape\": ")
                        .append(Arrays.toString(shape).replace(" ", "")).append('}');
            }
            return json.toString();
        }
    }

    private static byte[] ocrBytes() throws Exception {
        return Files.readAllBytes(SampleModels.ocrClassifier());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
