package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint against malformed, oversized and hostile input: each gets its precise status and an
 * {@code {"error": …}} body, the server stays healthy, the store stays unchanged, and every infer request on
 * an existing model still leaves exactly one billing record.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest implements TorporTestProperties {
    private static final String OCR = "/v2/repository/models/ocr/versions/1";

    @Inject
    EmbeddedServer server;
    Http http;
    String publishedSha;

    @Override
    public Map<String, String> extraProperties() {
        // Small limits, so that "over the limit" is cheap to send. The OCR classifier (0.6 MB) fits.
        return Map.of("torpor.max-upload-mb", "1", "torpor.max-request-mb", "1");
    }

    @BeforeAll
    void publishTheClassifier() {
        http = Http.operator(server);
        Http.Reply published = http.putFile(OCR, SampleModels.ocrClassifier());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        publishedSha = published.json().get("sha256").asText();
    }

    private static void assertError(Http.Reply reply, int status, String messagePart) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        JsonNode body = reply.json();
        assertThat(body.has("error")).as(reply.body()).isTrue();
        assertThat(body.get("error").asText()).containsIgnoringCase(messagePart);
    }

    private static String image(String name, String datatype, String shape, int values) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < values; i++) {
            data.append(i == 0 ? "" : ",").append(i % 7 / 7.0);
        }
        return "{\"inputs\":[{\"name\":\"" + name + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape
                + ",\"data\":[" + data + "]}]}";
    }

    private static final int ONE_IMAGE = 3 * 48 * 192;

    @Test
    void aValidRequestWorks() {
        Http.Reply reply = http.post("/v2/models/ocr/infer", image("x", "FP32", "[1,3,48,192]", ONE_IMAGE));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("outputs").get(0).get("shape").toString()).isEqualTo("[1,2]");
    }

    @Test
    void inferRefusesBadRequestsPrecisely() {
        int recordsBefore = records();

        assertError(http.post("/v2/models/ocr/infer", "{\"inputs\": [ {\"name\": "), 400, "JSON");
        assertError(http.post("/v2/models/ocr/infer", ""), 400, "");
        assertError(http.post("/v2/models/ocr/infer", "[1,2,3]"), 400, "object");
        assertError(http.post("/v2/models/ocr/infer", "{\"inputs\":[],\"surprise\":1}"), 400, "surprise");
        assertError(http.post("/v2/models/ocr/infer", image("x", "FP32", "[1,3,48,192]", ONE_IMAGE - 1)), 400,
                "elements");
        assertError(http.post("/v2/models/ocr/infer", image("x", "FP64", "[1,3,48,192]", ONE_IMAGE)), 422, "x");
        assertError(http.post("/v2/models/ocr/infer", image("pixels", "FP32", "[1,3,48,192]", ONE_IMAGE)), 422,
                "pixels");
        assertError(http.post("/v2/models/ocr/infer", image("x", "FP32", "[1,4,48,192]", 4 * 48 * 192)), 422, "x");
        assertError(http.post("/v2/models/ocr/infer", "{\"inputs\":[]}"), 422, "x");
        assertError(http.post("/v2/models/ocr/infer", image("x", "FP32", "[1,3,48,192]", ONE_IMAGE)
                .replace("}]}", "}],\"outputs\":[{\"name\":\"nope\"}]}")), 422, "nope");
        // Hostile: a shape whose element count overflows (each dimension within the element limit, which a larger
        // one would break with a 413), absurd nesting, a body over the request limit.
        assertError(http.post("/v2/models/ocr/infer",
                "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[64000000,64000000,64000000],"
                        + "\"data\":[1]}]}"), 400, "shape");
        assertError(http.post("/v2/models/ocr/infer",
                "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[4294967296,4294967296,4294967296],"
                        + "\"data\":[1]}]}"), 413, "TORPOR_MAX_REQUEST_ELEMENTS");
        assertError(http.post("/v2/models/ocr/infer", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
                + "\"shape\":[1],\"data\":" + "[".repeat(5000) + "1" + "]".repeat(5000) + "}]}"), 400, "nested deeper");
        Http.Reply dataFirst = http.post("/v2/models/ocr/infer", "{\"inputs\":[{\"data\":" + "[".repeat(5000) + "1"
                + "]".repeat(5000) + ",\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]}");
        assertThat(dataFirst.status()).as(dataFirst.body()).isIn(400, 413);
        assertThat(dataFirst.json().get("error").asText()).containsIgnoringCase("nest");
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertError(http.post("/v2/models/ocr/infer", huge), 413, "TORPOR_MAX_REQUEST_MB");

        // Every one of those named an existing model: each left exactly one client_error record.
        JsonNode records = http.get("/billing/records?model=ocr&limit=1000").json().get("records");
        assertThat(records.size() - recordsBefore).as(records.toString()).isEqualTo(15);
        for (int i = recordsBefore; i < records.size(); i++) {
            assertThat(records.get(i).get("status").asText()).isEqualTo("client_error");
            assertThat(records.get(i).get("httpStatus").asInt()).isBetween(400, 499);
        }
        assertHealthyAndUnchanged();
    }

    @Test
    void unknownModelsAndVersionsAre404WithoutARecord() {
        int recordsBefore = records();
        assertError(http.post("/v2/models/nope/infer", "{}"), 404, "nope");
        assertError(http.post("/v2/models/ocr/versions/9/infer", "{}"), 404, "9");
        assertError(http.get("/v2/models/nope"), 404, "nope");
        assertError(http.get("/v2/models/ocr/versions/9"), 404, "9");
        assertError(http.get("/v2/models/nope/ready"), 404, "nope");
        assertError(http.get("/v2/repository/models/nope"), 404, "nope");
        assertError(http.putJson("/v2/repository/models/nope/config", "{}"), 404, "nope");
        assertError(http.post("/v2/repository/models/nope/load", "{}"), 404, "nope");
        assertError(http.delete("/v2/repository/models/ocr/versions/9"), 404, "9");
        assertError(http.get("/v2/no/such/route"), 404, "");
        assertThat(records()).isEqualTo(recordsBefore);
    }

    @Test
    void invalidNamesAre400() {
        assertError(http.putFile("/v2/repository/models/-bad/versions/1", SampleModels.ocrClassifier()), 400,
                "invalid model name");
        assertError(http.putFile("/v2/repository/models/ok/versions/%2E%2E", SampleModels.ocrClassifier()), 400,
                "invalid model version");
        assertError(http.putFile("/v2/repository/models/a%20b/versions/1", SampleModels.ocrClassifier()), 400,
                "invalid model name");
        assertError(http.post("/v2/models/-bad/infer", "{}"), 400, "invalid model name");
        assertHealthyAndUnchanged();
    }

    @Test
    void publishRefusesConflictsNonModelsOversizeAndHostileArchives() throws Exception {
        assertError(http.putFile(OCR, SampleModels.ocrClassifier()), 409, "exists");
        assertError(http.put("/v2/repository/models/junk/versions/1", "application/octet-stream",
                "this is not an onnx model".getBytes(StandardCharsets.UTF_8)), 422, "ONNX Runtime");
        assertError(http.putFile("/v2/repository/models/big/versions/1", SampleModels.silero()), 413,
                "TORPOR_MAX_UPLOAD_MB");
        assertError(http.put("/v2/repository/models/typed/versions/1", "text/plain", new byte[] {1, 2}), 400,
                "Content-Type");
        assertError(http.put("/v2/repository/models/zip/versions/1", "application/zip",
                "not a zip".getBytes(StandardCharsets.UTF_8)), 400, "");
        assertError(http.put("/v2/repository/models/slip/versions/1", "application/zip",
                zip(Map.of("../evil.onnx", new byte[] {1}, "model.json",
                        "{\"format\":\"onnx\",\"file\":\"../evil.onnx\"}".getBytes(StandardCharsets.UTF_8)))), 400,
                "..");
        assertError(http.put("/v2/repository/models/nojson/versions/1", "application/zip",
                zip(Map.of("model.onnx", Files.readAllBytes(SampleModels.ocrClassifier())))), 400, "model.json");
        assertHealthyAndUnchanged();
    }

    @Test
    void configRefusesUnknownFieldsBadValuesAndMalformedJson() {
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"colour\": \"blue\"}"), 400, "colour");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"minInstances\": 5, \"maxInstances\": 2}"),
                400, "minInstances");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"maxInstances\": 0}"), 400, "maxInstances");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"maxQueue\": -1}"), 400, "maxQueue");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"device\": \"tpu\"}"), 400, "device");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"maxQueue\": \"many\"}"), 400, "maxQueue");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{\"runtime\": {\"threads\": 2}}"), 400,
                "runtime.threads");
        assertError(http.putJson("/v2/repository/models/ocr/config", "{nope"), 400, "JSON");
        assertError(http.putJson("/v2/repository/models/ocr/config", "[]"), 400, "object");
        // Nothing was stored: the config is still the defaults.
        JsonNode config = http.get("/v2/repository/models/ocr").json().get("config");
        assertThat(config.get("maxInstances").asInt()).isEqualTo(4);
        assertThat(config.get("maxQueue").asInt()).isEqualTo(1000);
    }

    @Test
    void billingRefusesBadParameters() {
        assertError(http.get("/billing/records?limit=0"), 400, "limit");
        assertError(http.get("/billing/records?limit=1001"), 400, "limit");
        assertError(http.get("/billing/records?limit=ten"), 400, "limit");
        assertError(http.get("/billing/records?after=not-a-cursor!"), 400, "cursor");
        assertError(http.get("/billing/records?from=yesterday"), 400, "from");
        assertError(http.get("/billing/summary?groupBy=colour"), 400, "groupBy");
        assertThat(http.get("/billing/records?whatever=1").status()).isEqualTo(200);
    }

    private int records() {
        return http.get("/billing/records?model=ocr&limit=1000").json().get("records").size();
    }

    private void assertHealthyAndUnchanged() {
        assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
        JsonNode models = http.get("/v2/repository/models").json().get("models");
        assertThat(models).hasSize(1);
        assertThat(models.get(0).get("name").asText()).isEqualTo("ocr");
        assertThat(models.get(0).get("versions")).hasSize(1);
        assertThat(http.get("/v2/repository/models/ocr").json().get("versions").get(0).get("sha256").asText())
                .isEqualTo(publishedSha);
    }

    private static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

}
