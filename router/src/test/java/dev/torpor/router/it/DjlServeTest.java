package dev.torpor.router.it;

import dev.torpor.fixtures.SampleModels;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DJL models on a real router: publish the TorchScript and the DJL-format samples as archives over HTTP, read
 * their metadata, compare answers with DJL called directly, follow a model from cold to warm to reaped to cold
 * again, and wake a cold DJL model with a burst that loads it once. {@code device: gpu} is refused for them.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlServeTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    private Http.Reply publish(String name, String zip) {
        return http.put("/v2/repository/models/" + name + "/versions/1", "application/zip", DjlModels.bytes(zip));
    }

    private int instances(String name) {
        return http.get("/v2/repository/models/" + name).json().get("instances").size();
    }

    private static void assertMlpSignature(JsonNode document) {
        JsonNode input = document.get("inputs").get(0);
        assertThat(input.get("name").asText()).isEqualTo("x");
        assertThat(input.get("datatype").asText()).isEqualTo("FP32");
        assertThat(input.get("shape").toString()).isEqualTo("[-1,8]");
        JsonNode output = document.get("outputs").get(0);
        assertThat(output.get("name").asText()).isEqualTo("y");
        assertThat(output.get("shape").toString()).isEqualTo("[-1,1]");
    }

    @Test
    void torchscriptIsPublishedServedReapedAndWokenAgain() throws Exception {
        Http.Reply published = publish("ts", DjlModels.TORCHSCRIPT_ZIP);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        assertThat(published.json().get("format").asText()).isEqualTo("torchscript");
        assertThat(published.json().get("platform").asText()).isEqualTo("pytorch_torchscript");

        JsonNode metadata = http.get("/v2/models/ts").json();
        assertThat(metadata.get("platform").asText()).isEqualTo("pytorch_torchscript");
        assertMlpSignature(metadata);
        assertThat(instances("ts")).isZero();

        assertThat(http.putJson("/v2/repository/models/ts/config", "{\"idleTimeoutSeconds\": 1}").status())
                .isEqualTo(200);
        float[] x = DjlModels.input(3, 11);
        float[] expected = DjlModels.direct(DjlModels.TORCHSCRIPT_ZIP, x, 3);

        Http.Reply cold = http.post("/v2/models/ts/infer", DjlModels.json("c", x, 3));
        assertThat(cold.status()).as(cold.body()).isEqualTo(200);
        assertThat(cold.header("torpor-cold-start")).isEqualTo("true");
        JsonNode output = cold.json().get("outputs").get(0);
        assertThat(output.get("name").asText()).isEqualTo("y");
        assertThat(output.get("datatype").asText()).isEqualTo("FP32");
        assertThat(output.get("shape").toString()).isEqualTo("[3,1]");
        assertThat(SileroRequests.floats(output.get("data"))).containsExactly(expected);

        Http.Reply warm = http.post("/v2/models/ts/infer", DjlModels.json("w", x, 3));
        assertThat(warm.status()).isEqualTo(200);
        assertThat(warm.header("torpor-cold-start")).isEqualTo("false");
        assertThat(warm.json().get("outputs")).isEqualTo(cold.json().get("outputs"));

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (instances("ts") > 0 && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(instances("ts")).as("reaped after its idle timeout").isZero();

        Http.Reply again = http.post("/v2/models/ts/infer", DjlModels.json("a", x, 3));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("torpor-cold-start")).isEqualTo("true");
        assertThat(again.json().get("outputs")).isEqualTo(cold.json().get("outputs"));
    }

    @Test
    void anOnnxModelServedThroughDjlHasTheOnnxPlatform() throws Exception {
        byte[] zip = TestArchives.zip(
                "model.json", "{\"format\": \"djl\", \"engine\": \"OnnxRuntime\", \"file\": \"m.onnx\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "m.onnx", java.nio.file.Files.readAllBytes(SampleModels.ocrClassifier()));
        Http.Reply published = http.put("/v2/repository/models/djl-onnx/versions/1", "application/zip", zip);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        assertThat(published.json().get("format").asText()).isEqualTo("djl");
        assertThat(published.json().get("platform").asText()).isEqualTo("onnx_onnxv1");
        assertThat(http.get("/v2/models/djl-onnx").json().get("platform").asText()).isEqualTo("onnx_onnxv1");
    }

    @Test
    void djlFormatModelIsPublishedAndAnswersLikeDjlCalledDirectly() throws Exception {
        Http.Reply published = publish("djl", DjlModels.DJL_ZIP);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        assertThat(published.json().get("format").asText()).isEqualTo("djl");
        assertThat(published.json().get("platform").asText()).isEqualTo("djl_params");
        assertMlpSignature(http.get("/v2/models/djl").json());

        float[] x = DjlModels.input(5, 12);
        float[] expected = DjlModels.direct(DjlModels.DJL_ZIP, x, 5);
        Http.Reply answer = http.post("/v2/models/djl/infer", DjlModels.json("d", x, 5));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(SileroRequests.floats(answer.json().get("outputs").get(0).get("data"))).containsExactly(expected);
        // Trained on y = sum(x): the answers are close to it.
        float[] got = SileroRequests.floats(answer.json().get("outputs").get(0).get("data"));
        for (int row = 0; row < 5; row++) {
            float sum = 0;
            for (int i = 0; i < 8; i++) {
                sum += x[row * 8 + i];
            }
            assertThat(got[row]).isCloseTo(sum, org.assertj.core.data.Offset.offset(0.5f));
        }
    }

    @Test
    void aBurstOnAColdDjlModelLoadsOnceAndAnswersEveryRequest() throws Exception {
        assertThat(publish("burst", DjlModels.DJL_ZIP).status()).isEqualTo(201);
        assertThat(http.putJson("/v2/repository/models/burst/config", "{\"maxInstances\": 1}").status())
                .isEqualTo(200);
        float[] x = DjlModels.input(2, 13);
        float[] expected = DjlModels.direct(DjlModels.DJL_ZIP, x, 2);
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String body = DjlModels.json("b" + i, x, 2);
                replies.add(CompletableFuture.supplyAsync(() -> http.post("/v2/models/burst/infer", body), clients));
            }
            for (CompletableFuture<Http.Reply> reply : replies) {
                Http.Reply answered = reply.join();
                assertThat(answered.status()).as(answered.body()).isEqualTo(200);
                assertThat(SileroRequests.floats(answered.json().get("outputs").get(0).get("data")))
                        .containsExactly(expected);
            }
        } finally {
            clients.shutdownNow();
        }
        JsonNode records = http.get("/billing/records?model=burst&limit=1000").json().get("records");
        assertThat(records).hasSize(32);
        Set<String> instanceIds = new HashSet<>();
        records.forEach(record -> instanceIds.add(record.get("instanceId").asText()));
        assertThat(instanceIds).as("exactly one instance was loaded").hasSize(1);
        assertThat(records.findValues("coldStart")).anyMatch(JsonNode::asBoolean);
    }

    @Test
    void gpuIsRefusedForPyTorchModelsAtConfigTimeAndAtPublish() {
        assertThat(publish("cpu-only", DjlModels.TORCHSCRIPT_ZIP).status()).isEqualTo(201);
        Http.Reply refused = http.putJson("/v2/repository/models/cpu-only/config", "{\"device\": \"gpu\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).contains("device 'gpu'").contains("CPU only");
        assertThat(http.get("/v2/repository/models/cpu-only").json().get("config").get("device").asText())
                .isEqualTo("cpu");
        assertThat(http.putJson("/v2/repository/models/cpu-only/config", "{\"device\": \"any\"}").status())
                .isEqualTo(200);

        byte[] gpuZip = TestArchives.zip(
                "model.json", """
                        {"format": "torchscript", "engine": "PyTorch", "file": "mlp.pt", "config": {"device": "gpu"},
                         "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
                         "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""".getBytes(),
                "mlp.pt", TestArchives.entry(DjlModels.archive(DjlModels.TORCHSCRIPT_ZIP), "mlp.pt"));
        Http.Reply atPublish = http.put("/v2/repository/models/gpu-ts/versions/1", "application/zip", gpuZip);
        assertThat(atPublish.status()).as(atPublish.body()).isEqualTo(400);
        assertThat(atPublish.json().get("error").asText()).contains("device 'gpu'");
        assertThat(http.get("/v2/models/gpu-ts").status()).isEqualTo(404);
    }
}
