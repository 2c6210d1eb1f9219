package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The binary tensor data extension on a real router with Silero VAD: a binary request answers what the same
 * request in JSON answers, outputs come back as binary data when asked, malformed bodies are 400, and billing
 * counts the exact bytes on the wire.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinaryTensorTest implements TorporTestProperties {
    private static final String HEADER = "Inference-Header-Content-Length";

    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeAll
    void publish() {
        http = Http.operator(server);
        assertThat(http.putFile("/v2/repository/models/vadb/versions/1", SampleModels.silero()).status()).isEqualTo(201);
    }

    /** A Silero request with the audio and state as binary data and the sample rate as JSON. */
    static byte[][] binaryRequest(String id, float[] audio, String extra) {
        String json = "{\"id\":\"" + id + "\",\"inputs\":["
                + "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + audio.length + "],"
                + "\"parameters\":{\"binary_data_size\":" + audio.length * 4 + "}},"
                + "{\"name\":\"state\",\"datatype\":\"FP32\",\"shape\":[2,1,128],"
                + "\"parameters\":{\"binary_data_size\":" + 256 * 4 + "}},"
                + "{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],\"data\":[16000]}]" + extra + "}";
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(head.length + audio.length * 4 + 256 * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(head);
        for (float sample : audio) {
            body.putFloat(sample);
        }
        return new byte[][] {body.array(), Integer.toString(head.length).getBytes(StandardCharsets.US_ASCII)};
    }

    private HttpResponse<byte[]> post(byte[] body, String headerLength) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri("/v2/models/vadb/infer"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) {
            request.header(HEADER, headerLength);
        }
        return http.client().send(http.authorize(request).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Map<String, JsonNode> outputsByName(JsonNode outputs) {
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        outputs.forEach(output -> byName.put(output.get("name").asText(), output));
        return byName;
    }

    @Test
    void serverMetadataListsTheExtension() {
        assertThat(http.get("/v2").json().get("extensions").toString()).contains("\"binary_tensor_data\"");
    }

    @Test
    void binaryRequestAnswersWhatTheJsonRequestAnswers() throws Exception {
        float[] audio = SileroRequests.audio(3);
        JsonNode viaJson = http.post("/v2/models/vadb/infer", SileroRequests.json("j", audio)).json();
        byte[][] binary = binaryRequest("b", audio, "");
        HttpResponse<byte[]> reply = post(binary[0], new String(binary[1], StandardCharsets.US_ASCII));
        assertThat(reply.statusCode()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(reply.headers().firstValue(HEADER)).isEmpty();
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode viaBinary = Http.JSON.readTree(reply.body());
        assertThat(viaBinary.get("id").asText()).isEqualTo("b");
        Map<String, JsonNode> expected = outputsByName(viaJson.get("outputs"));
        Map<String, JsonNode> actual = outputsByName(viaBinary.get("outputs"));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, output) -> assertThat(actual.get(name)).isEqualTo(output));
        // And both equal ONNX Runtime called directly.
        Map<String, float[]> direct = SileroRequests.direct(SampleModels.silero(), audio);
        assertThat(SileroRequests.floats(actual.get("output").get("data"))).containsExactly(direct.get("output"));
    }

    @Test
    void binaryOutputsComeBackAfterTheJsonHeaderAndAreBilledExactly() throws Exception {
        float[] audio = SileroRequests.audio(5);
        Map<String, float[]> direct = SileroRequests.direct(SampleModels.silero(), audio);
        // Every output binary by default, except "output", which asks for JSON.
        byte[][] binary = binaryRequest("o", audio, ",\"parameters\":{\"binary_data_output\":true},\"outputs\":["
                + "{\"name\":\"output\",\"parameters\":{\"binary_data\":false}},{\"name\":\"stateN\"}]");
        HttpResponse<byte[]> reply = post(binary[0], new String(binary[1], StandardCharsets.US_ASCII));
        assertThat(reply.statusCode()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith("application/octet-stream");
        int headerLength = Integer.parseInt(reply.headers().firstValue(HEADER).orElseThrow());
        JsonNode header = Http.JSON.readTree(Arrays.copyOf(reply.body(), headerLength));
        Map<String, JsonNode> outputs = outputsByName(header.get("outputs"));
        assertThat(SileroRequests.floats(outputs.get("output").get("data"))).containsExactly(direct.get("output"));
        JsonNode state = outputs.get("stateN");
        assertThat(state.has("data")).isFalse();
        assertThat(state.get("shape").toString()).isEqualTo("[2,1,128]");
        assertThat(state.get("parameters").get("binary_data_size").asInt()).isEqualTo(256 * 4)
                .isEqualTo(reply.body().length - headerLength);
        float[] stateValues = new float[256];
        ByteBuffer.wrap(reply.body(), headerLength, 256 * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(stateValues);
        assertThat(stateValues).containsExactly(direct.get("stateN"));

        String requestId = reply.headers().firstValue("torpor-request-id").orElseThrow();
        JsonNode record = null;
        for (JsonNode candidate : http.get("/billing/records?model=vadb&limit=1000").json().get("records")) {
            if (candidate.get("id").asText().equals(requestId)) {
                record = candidate;
            }
        }
        assertThat(record).as("billing record " + requestId).isNotNull();
        assertThat(record.get("requestBytes").asLong()).isEqualTo(binary[0].length);
        assertThat(record.get("responseBytes").asLong()).isEqualTo(reply.body().length);
    }

    @Test
    void malformedBinaryBodiesAre400WithAPreciseMessage() throws Exception {
        byte[][] binary = binaryRequest("m", SileroRequests.audio(1), "");
        int headerLength = Integer.parseInt(new String(binary[1], StandardCharsets.US_ASCII));
        HttpResponse<byte[]> beyond = post(binary[0], Integer.toString(binary[0].length + 1));
        assertThat(beyond.statusCode()).isEqualTo(400);
        assertThat(new String(beyond.body(), StandardCharsets.UTF_8)).contains("beyond the end of the");
        HttpResponse<byte[]> shortBody = post(Arrays.copyOf(binary[0], binary[0].length - 4),
                Integer.toString(headerLength));
        assertThat(shortBody.statusCode()).isEqualTo(400);
        assertThat(new String(shortBody.body(), StandardCharsets.UTF_8)).contains("binary_data_size");
        HttpResponse<byte[]> noHeader = post(Arrays.copyOf(binary[0], headerLength), null);
        assertThat(noHeader.statusCode()).isEqualTo(400);
        assertThat(new String(noHeader.body(), StandardCharsets.UTF_8)).contains(HEADER);
        HttpResponse<byte[]> notANumber = post(binary[0], "lots");
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(new String(notANumber.body(), StandardCharsets.UTF_8)).contains("whole number");
    }
}
