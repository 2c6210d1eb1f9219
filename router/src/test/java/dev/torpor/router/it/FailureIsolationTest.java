package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.function.onnx.TinyOnnx;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A request that makes a real model fail at run time, or answer more than the output limit, gets a 4xx with
 * the engine's words (or the limit's name) and a client_error record, and the same instance serves the next
 * request. The model is {@code y = Tile(x, repeats)} (TinyOnnx): the request chooses how large its answer
 * is, and a {@code repeats} of the wrong length makes ONNX Runtime fail inside the node.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureIsolationTest implements TorporTestProperties {
    private static final String INFER = "/v2/models/tile/infer";

    @Inject
    EmbeddedServer server;
    Http http;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.max-output-mb", "1");
    }

    @BeforeAll
    void publishTile() {
        http = Http.operator(server);
        Http.Reply published = http.put("/v2/repository/models/tile/versions/1", "application/octet-stream",
                TinyOnnx.tile());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private static String tile(int xs, String repeats) {
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + xs + "],\"data\":["
                + "1,".repeat(xs - 1) + "1]},{\"name\":\"repeats\",\"datatype\":\"INT64\",\"shape\":["
                + repeats.split(",").length + "],\"data\":[" + repeats + "]}]}";
    }

    private JsonNode lastRecord() {
        JsonNode records = http.get("/billing/records?model=tile&limit=1000").json().get("records");
        return records.get(records.size() - 1);
    }

    private String instanceOf(Http.Reply reply) {
        String id = reply.header("torpor-request-id");
        for (JsonNode record : http.get("/billing/records?model=tile&limit=1000").json().get("records")) {
            if (record.get("id").asText().equals(id)) {
                return record.get("instanceId").asText();
            }
        }
        throw new AssertionError("no record " + id);
    }

    private void answersCorrectly(String instance) {
        Http.Reply ok = http.post(INFER, tile(2, "3"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("outputs").get(0).get("data").toString()).isEqualTo("[1.0,1.0,1.0,1.0,1.0,1.0]");
        assertThat(instanceOf(ok)).as("the same instance serves on").isEqualTo(instance);
        assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
    }

    @Test
    void aRunTheEngineFailsIsA422WithItsWordsAndTheInstanceServesOn() {
        Http.Reply ok = http.post(INFER, tile(2, "3"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        String instance = instanceOf(ok);

        Http.Reply failed = http.post(INFER, tile(1, "1,1"));
        assertThat(failed.status()).as(failed.body()).isEqualTo(422);
        assertThat(failed.json().get("error").asText()).startsWith("ONNX Runtime refused the input:")
                .containsIgnoringCase("repeat");
        JsonNode record = lastRecord();
        assertThat(record.get("status").asText()).isEqualTo("client_error");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(422);
        answersCorrectly(instance);
    }

    @Test
    void anAnswerOverTheOutputLimitIsA413NamingItAndTheInstanceServesOn() {
        Http.Reply ok = http.post(INFER, tile(2, "3"));
        String instance = instanceOf(ok);

        // 1 element tiled 300 000 times: 1.2 MB of FP32, over the 1 MB limit.
        Http.Reply tooLarge = http.post(INFER, tile(1, "300000"));
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.json().get("error").asText()).contains("TORPOR_MAX_OUTPUT_MB")
                .contains("output 'y' (FP32 [300000]) needs 1200000 bytes");
        JsonNode record = lastRecord();
        assertThat(record.get("status").asText()).isEqualTo("client_error");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(413);
        answersCorrectly(instance);
    }
}
