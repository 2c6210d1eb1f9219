package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.function.onnx.TinyOnnx;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An engine failure the input caused is a 422 whichever way ONNX Runtime reports it (API.md "Errors"): an LSTM
 * whose initial state does not fit the batch fails inside the kernel with ORT_FAIL, not INVALID_ARGUMENT, and is
 * still the client's fault (before, a 500); so is a StringNormalizer that cannot decode an input string (ORT_FAIL,
 * before a 500 too). Engine messages reach clients without ONNX Runtime's source paths.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineFailureStatusTest implements TorporTestProperties {
    private static final String LSTM = "/v2/models/lstm/infer";
    private static final String UPPER = "/v2/models/upper/infer";

    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeAll
    void publish() {
        http = Http.operator(server);
        Http.Reply published = http.put("/v2/repository/models/lstm/versions/1", "application/octet-stream",
                TinyOnnx.lstm());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        // Locale "C" exists everywhere; the kernel decodes UTF-8 whatever the locale.
        Http.Reply upper = http.put("/v2/repository/models/upper/versions/1", "application/octet-stream",
                TinyOnnx.stringNormalizer("C"));
        assertThat(upper.status()).as(upper.body()).isEqualTo(201);
    }

    /** X of batch {@code batch}, initial_h of batch {@code stateBatch}, zero weights. */
    private static String lstm(int batch, int stateBatch) {
        return "{\"inputs\":["
                + tensor("X", "[1," + batch + ",2]", 2 * batch) + ","
                + tensor("W", "[1,8,2]", 16) + ","
                + tensor("R", "[1,8,2]", 16) + ","
                + tensor("initial_h", "[1," + stateBatch + ",2]", 2 * stateBatch) + "]}";
    }

    private static String tensor(String name, String shape, int count) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"FP32\",\"shape\":" + shape + ",\"data\":["
                + "0,".repeat(count - 1) + "0]}";
    }

    /** A BYTES input x of the given JSON strings. */
    private static String strings(String... jsonStrings) {
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"BYTES\",\"shape\":[" + jsonStrings.length
                + "],\"data\":[" + String.join(",", jsonStrings) + "]}]}";
    }

    private JsonNode lastRecord(String model) {
        JsonNode records = http.get("/billing/records?model=" + model + "&limit=1000").json().get("records");
        return records.get(records.size() - 1);
    }

    @Test
    void aShapeClashInsideTheGraphIsA422WithTheEnginesWordsAndTheModelServesOn() {
        Http.Reply ok = http.post(LSTM, lstm(1, 1));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);

        Http.Reply clash = http.post(LSTM, lstm(1, 3));
        assertThat(clash.status()).as(clash.body()).isEqualTo(422);
        assertThat(clash.json().get("error").asText()).startsWith("ONNX Runtime refused the input:")
                .contains("initial_h");
        JsonNode record = lastRecord("lstm");
        assertThat(record.get("status").asText()).isEqualTo("client_error");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(422);

        assertThat(http.post(LSTM, lstm(2, 2)).status()).isEqualTo(200);
    }

    @Test
    void aStringTheNormalizerCannotDecodeIsA422WithTheEnginesWordsAndTheModelServesOn() {
        Http.Reply ok = http.post(UPPER, strings("\"abc\"", "\"def\""));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/outputs/0/data").toString()).isEqualTo("[\"ABC\",\"DEF\"]");

        // U+0000 is valid JSON and UTF-8, but ORT's Java API passes strings in modified UTF-8 (C0 80 for U+0000),
        // which the kernel cannot decode: ORT_FAIL from inside StringNormalizer, a 500 before.
        Http.Reply undecodable = http.post(UPPER, strings("\"a\\u0000b\""));
        assertThat(undecodable.status()).as(undecodable.body()).isEqualTo(422);
        assertThat(undecodable.json().get("error").asText()).startsWith("ONNX Runtime refused the input:")
                .contains("StringNormalizer")
                .doesNotContain("onnxruntime_src").doesNotContain(".cc:").doesNotContain("onnxruntime::");
        JsonNode record = lastRecord("upper");
        assertThat(record.get("status").asText()).isEqualTo("client_error");
        assertThat(record.get("httpStatus").asInt()).isEqualTo(422);

        Http.Reply after = http.post(UPPER, strings("\"xyz\""));
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        assertThat(after.json().at("/outputs/0/data").toString()).isEqualTo("[\"XYZ\"]");
    }

    @Test
    void anEngineMessageNamesNoSourceFileOfTheEngine() {
        // A locale no machine has: ONNX Runtime refuses the session with an ORT_ENFORCE naming its source file.
        Http.Reply refused = http.put("/v2/repository/models/normalizer/versions/1", "application/octet-stream",
                TinyOnnx.stringNormalizer("xx_XX.UTF-8"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("error").asText()).startsWith("ONNX Runtime cannot open the model:")
                .contains("Failed to construct locale with name:xx_XX.UTF-8")
                .doesNotContain("onnxruntime_src").doesNotContain(".cc:").doesNotContain("onnxruntime::");
    }
}
