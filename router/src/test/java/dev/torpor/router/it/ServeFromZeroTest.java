package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole path on a real router, a real model and a real database: publish Silero VAD, read its
 * metadata, wake it from zero, compare its answers with ONNX Runtime called directly, follow the billing
 * records, let it scale back to zero and wake it again.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeFromZeroTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    private void publishSilero(String name) {
        Http.Reply published = http.putFile("/v2/repository/models/" + name + "/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private int instances(String name) {
        return http.get("/v2/repository/models/" + name).json().get("instances").size();
    }

    @Test
    void publishInferScaleToZeroAndWakeAgain() throws Exception {
        Http.Reply published = http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        byte[] bytes = Files.readAllBytes(SampleModels.silero());
        assertThat(published.json().get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(published.json().get("sizeBytes").asLong()).isEqualTo(bytes.length);
        assertThat(published.json().get("platform").asText()).isEqualTo("onnx_onnxv1");

        // Metadata matches what ONNX Runtime reads from the model, and does not wake it.
        JsonNode metadata = http.get("/v2/models/vad").json();
        try (OrtSession direct = OrtEnvironment.getEnvironment().createSession(SampleModels.silero().toString())) {
            List<String> names = new ArrayList<>();
            metadata.get("inputs").forEach(input -> names.add(input.get("name").asText()));
            assertThat(names).containsExactlyElementsOf(direct.getInputNames());
        }
        assertThat(metadata.get("versions").get(0).asText()).isEqualTo("1");
        assertThat(metadata.get("platform").asText()).isEqualTo("onnx_onnxv1");
        assertThat(instances("vad")).isZero();
        assertThat(http.get("/v2/models/vad/ready").json().get("ready").asBoolean()).isTrue();

        // A short idle timeout, so the test sees the scale to zero.
        Http.Reply configured = http.putJson("/v2/repository/models/vad/config", "{\"idleTimeoutSeconds\": 1}");
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);
        assertThat(configured.json().get("idleTimeoutSeconds").asLong()).isEqualTo(1);

        // Cold: the first request wakes an instance and equals ONNX Runtime called directly.
        float[] audio = SileroRequests.audio(0);
        Map<String, float[]> expected = SileroRequests.direct(SampleModels.silero(), audio);
        Http.Reply cold = http.post("/v2/models/vad/infer", SileroRequests.json("first", audio));
        assertThat(cold.status()).as(cold.body()).isEqualTo(200);
        assertThat(cold.header("torpor-cold-start")).isEqualTo("true");
        JsonNode answer = cold.json();
        assertThat(answer.get("id").asText()).isEqualTo("first");
        assertThat(answer.get("model_name").asText()).isEqualTo("vad");
        assertThat(answer.get("model_version").asText()).isEqualTo("1");
        for (JsonNode output : answer.get("outputs")) {
            assertThat(SileroRequests.floats(output.get("data")))
                    .as(output.get("name").asText())
                    .containsExactly(expected.get(output.get("name").asText()));
        }
        String coldId = cold.header("torpor-request-id");

        // Warm: the second request reuses the instance.
        Http.Reply warm = http.post("/v2/models/vad/versions/1/infer", SileroRequests.json("second", audio));
        assertThat(warm.status()).isEqualTo(200);
        assertThat(warm.header("torpor-cold-start")).isEqualTo("false");
        assertThat(instances("vad")).isEqualTo(1);

        // Both records are in the ledger, committed before their answers were sent.
        JsonNode records = http.get("/billing/records?model=vad").json().get("records");
        assertThat(records).hasSize(2);
        JsonNode first = records.get(0);
        assertThat(first.get("id").asText()).isEqualTo(coldId);
        assertThat(first.get("kind").asText()).isEqualTo("request");
        assertThat(first.get("coldStart").asBoolean()).isTrue();
        assertThat(first.get("initMs").asDouble()).isPositive();
        assertThat(first.get("computeMs").asDouble()).isPositive();
        assertThat(first.get("billedMs").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(first.get("status").asText()).isEqualTo("ok");
        assertThat(first.get("httpStatus").asInt()).isEqualTo(200);
        assertThat(first.get("device").asText()).isEqualTo("cpu");
        assertThat(first.get("memoryMb").asInt()).isGreaterThan(64);
        assertThat(first.get("requestBytes").asLong()).isEqualTo(SileroRequests.json("first", audio).length());
        assertThat(first.get("responseBytes").asLong()).isEqualTo(cold.body().length());
        assertThat(records.get(1).get("coldStart").asBoolean()).isFalse();
        assertThat(records.get(1).get("initMs").asDouble()).isZero();

        // Idle for its timeout, the instance is reaped...
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (instances("vad") > 0 && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(instances("vad")).isZero();
        JsonNode listed = null;
        for (JsonNode model : http.get("/v2/repository/models").json().get("models")) {
            if (model.get("name").asText().equals("vad")) {
                listed = model;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("state").asText()).isEqualTo("SCALED_TO_ZERO");
        assertThat(listed.get("instances").asInt()).isZero();

        // ...and the next request is cold again, with the same answer.
        Http.Reply again = http.post("/v2/models/vad/infer", SileroRequests.json("third", audio));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("torpor-cold-start")).isEqualTo("true");
        assertThat(again.json().get("outputs")).isEqualTo(answer.get("outputs"));
    }

    @Test
    void aBurstOnAColdModelLoadsOnceAndAnswersEveryRequest() throws Exception {
        publishSilero("burst");
        assertThat(http.putJson("/v2/repository/models/burst/config", "{\"maxInstances\": 1}").status())
                .isEqualTo(200);
        float[] audio = SileroRequests.audio(7);
        float[] expected = SileroRequests.direct(SampleModels.silero(), audio).get("output");
        ExecutorService clients = Executors.newFixedThreadPool(64);
        try {
            List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String body = SileroRequests.json("b" + i, audio);
                replies.add(CompletableFuture.supplyAsync(() -> http.post("/v2/models/burst/infer", body), clients));
            }
            Set<String> requestIds = new HashSet<>();
            for (CompletableFuture<Http.Reply> reply : replies) {
                Http.Reply answered = reply.join();
                assertThat(answered.status()).as(answered.body()).isEqualTo(200);
                JsonNode output = answered.json().get("outputs").get(0);
                assertThat(output.get("name").asText()).isEqualTo("output");
                assertThat(SileroRequests.floats(output.get("data"))).containsExactly(expected);
                requestIds.add(answered.header("torpor-request-id"));
            }
            assertThat(requestIds).hasSize(64);
        } finally {
            clients.shutdownNow();
        }
        JsonNode records = http.get("/billing/records?model=burst&limit=1000").json().get("records");
        assertThat(records).hasSize(64);
        Set<String> instances = new HashSet<>();
        records.forEach(record -> instances.add(record.get("instanceId").asText()));
        assertThat(instances).as("exactly one instance was loaded").hasSize(1);
        assertThat(records.findValues("coldStart")).anyMatch(JsonNode::asBoolean);
        assertThat(records.findValues("status")).allMatch(status -> status.asText().equals("ok"));
    }
}
