package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hostile-input corpus, against a real router on a random port serving the real Silero VAD model: named
 * cases of malformed, oversized, deeply nested, wrongly typed, lying or slow requests to every kind of
 * endpoint, each with the status it must get. After every case the server must still be live and ready and
 * answer a valid Silero request exactly as ONNX Runtime does; across the corpus nothing may change but one
 * {@code client_error} record per request that names the existing model (models, versions and config are
 * compared before and after), and the heap may not grow by more than {@link #MAX_PEAK_HEAP_GROWTH_MB} over its
 * idle peak. The results table is printed for docs/SECURITY.md.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest implements TorporTestProperties {
    private static final String INFER = "/v2/models/vad/infer";
    private static final long MAX_PEAK_HEAP_GROWTH_MB = 256;
    /** Record kinds a case leaves: none, or one client_error record for the model. */
    private static final boolean BILLED = true;
    private static final boolean NOT_BILLED = false;
    /** What a case "gets" when the server closed the connection (only the slow-loris case may). */
    private static final int DROPPED = -1;

    @Inject
    EmbeddedServer server;
    Http http;
    float[] expected;
    /** Valid Silero requests answered correctly so far (each leaves an ok record). */
    int validAnswers;

    @Override
    public Map<String, String> extraProperties() {
        // Small limits, so that "over the limit" is cheap to send; a short read timeout for the slow-loris case.
        return Map.of("torpor.max-request-mb", "1", "torpor.max-upload-mb", "8",
                "torpor.max-bytes-element-length", "65536", "torpor.max-request-bytes-data-mb", "1",
                "torpor.archive-max-entries", "20", "torpor.archive-max-unpacked-mb", "1",
                "micronaut.server.read-idle-timeout", "3s", "micronaut.server.idle-timeout", "3s");
    }

    @BeforeAll
    void publishSilero() throws Exception {
        http = Http.operator(server);
        Http.Reply published = http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        expected = SileroRequests.direct(SampleModels.silero(), SileroRequests.audio(0)).get("output");
        assertValidInferenceAnswers();
    }

    /** One named hostile request, the status it must get, and whether it leaves a client_error record. */
    record Case(String name, int expected, boolean billed, Supplier<Integer> send) {
    }

    @Test
    void everyHostileInputGetsA4xxAndChangesNothingButOneRecord() throws Exception {
        List<Case> corpus = corpus();
        List<String> modelsBefore = published();
        String configBefore = http.get("/v2/repository/models/vad").json().get("config").toString();
        int recordsBefore = records().size();
        long expectedRecords = corpus.stream().filter(Case::billed).count();

        long idlePeak = idlePeakHeapBytes();
        resetPeaks();
        List<String[]> table = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        int validBefore = validAnswers;
        for (Case hostile : corpus) {
            int got;
            try {
                got = hostile.send.get();
            } catch (UncheckedIOException dropped) {
                got = DROPPED;
            }
            table.add(new String[] {hostile.name, hostile.expected == DROPPED ? "dropped" : Integer.toString(hostile.expected),
                    got == DROPPED ? "dropped" : Integer.toString(got)});
            if (got != hostile.expected) {
                wrong.add(hostile.name + ": expected " + hostile.expected + ", got " + got);
            }
            assertThat(http.get("/v2/health/live").status()).as("live after " + hostile.name).isEqualTo(200);
            assertThat(http.get("/v2/health/ready").status()).as("ready after " + hostile.name).isEqualTo(200);
            assertValidInferenceAnswers();
        }
        int valid = validAnswers - validBefore;
        long corpusPeak = peakHeapBytes();
        print(table, idlePeak, corpusPeak);

        assertThat(wrong).as("cases with another status than expected").isEmpty();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(60);
        assertThat(corpus).allSatisfy(c -> assertThat(c.expected >= 400 && c.expected <= 499
                || c.expected == DROPPED && c.name.startsWith("slow loris"))
                .as(c.name + ": a 4xx, or a dropped connection for the slow-loris timeout only").isTrue());
        // Nothing changed: the models, their versions and the config.
        assertThat(published()).isEqualTo(modelsBefore);
        assertThat(http.get("/v2/repository/models/vad").json().get("config").toString()).isEqualTo(configBefore);
        // One client_error record per case that named the model, and one ok record per valid request.
        List<JsonNode> added = records().subList(recordsBefore, records().size());
        assertThat(added.stream().filter(r -> r.get("status").asText().equals("client_error")).count())
                .isEqualTo(expectedRecords);
        assertThat(added.stream().filter(r -> r.get("status").asText().equals("ok")).count()).isEqualTo(valid);
        assertThat(added).hasSize((int) expectedRecords + valid);
        assertThat((corpusPeak - idlePeak) / (1024 * 1024)).as("peak heap growth during the corpus, MiB")
                .isLessThan(MAX_PEAK_HEAP_GROWTH_MB);
    }

    /** Every published model version with its checksum. */
    private List<String> published() {
        List<String> versions = new ArrayList<>();
        for (JsonNode model : http.get("/v2/repository/models").json().get("models")) {
            for (JsonNode version : http.get("/v2/repository/models/" + model.get("name").asText()).json()
                    .get("versions")) {
                versions.add(model.get("name").asText() + "/" + version.get("version").asText() + " "
                        + version.get("sha256").asText());
            }
        }
        return versions;
    }

    private List<JsonNode> records() {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            Http.Reply page = http.get("/billing/records?model=vad&limit=1000"
                    + (cursor == null ? "" : "&after=" + cursor));
            page.json().get("records").forEach(all::add);
            cursor = page.header("Torpor-Next-Cursor");
        } while (cursor != null);
        return all;
    }

    private void assertValidInferenceAnswers() {
        Http.Reply reply = http.post(INFER, SileroRequests.json("valid", SileroRequests.audio(0)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (JsonNode output : reply.json().get("outputs")) {
            if (output.get("name").asText().equals("output")) {
                float[] got = SileroRequests.floats(output.get("data"));
                assertThat(got).hasSameSizeAs(expected);
                for (int i = 0; i < got.length; i++) {
                    assertThat(got[i]).isCloseTo(expected[i], within(1e-5f));
                }
                validAnswers++;
                return;
            }
        }
        throw new AssertionError("no output 'output': " + reply.body());
    }

    // ---- the corpus ----

    private List<Case> corpus() throws IOException {
        List<Case> corpus = new ArrayList<>();
        inference(corpus);
        binaryExtension(corpus);
        bodies(corpus);
        archives(corpus);
        names(corpus);
        billingQueries(corpus);
        configAndLimits(corpus);
        return corpus;
    }

    private static String input(String name, String datatype, String shape, String data) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}";
    }

    private static String request(String... inputs) {
        return "{\"inputs\":[" + String.join(",", inputs) + "]}";
    }

    /** A request whose other inputs are valid, with {@code input} in place of Silero's "input". */
    private static String withAudio(String input) {
        String valid = SileroRequests.json("x", SileroRequests.audio(0));
        int state = valid.indexOf("{\"name\":\"state\"");
        return "{\"inputs\":[" + input + "," + valid.substring(state);
    }

    private Case infer(String name, int expected, String body) {
        return new Case(name, expected, BILLED, () -> http.post(INFER, body.getBytes(StandardCharsets.UTF_8)).status());
    }

    private Case infer(String name, int expected, byte[] body, Map<String, String> headers) {
        return new Case(name, expected, BILLED, () -> http.send("POST", INFER, headers, body).status());
    }

    private void inference(List<Case> corpus) {
        corpus.add(infer("empty body", 400, ""));
        corpus.add(infer("truncated JSON", 400, SileroRequests.json("t", SileroRequests.audio(0)).substring(0, 300)));
        corpus.add(infer("not JSON", 400, "hello, server"));
        corpus.add(infer("JSON array body", 400, "[]"));
        corpus.add(infer("JSON string body", 400, "\"inputs\""));
        corpus.add(infer("JSON null body", 400, "null"));
        corpus.add(infer("100k [ (not an object)", 400, "[".repeat(100_000)));
        corpus.add(infer("100k [ under inputs (refused at the first)", 400, "{\"inputs\":" + "[".repeat(100_000)));
        corpus.add(infer("100k nested arrays in parameters", 413, "{\"parameters\":{\"a\":" + "[".repeat(100_000)));
        corpus.add(infer("100k nested objects in parameters", 413,
                "{\"parameters\":" + "{\"a\":".repeat(100_000)));
        corpus.add(infer("40 levels of nesting inside data", 400, withAudio(input("input", "FP32", "[1,512]",
                "[".repeat(40) + "1" + "]".repeat(40)))));
        corpus.add(infer("data nested deeper than its shape", 400, withAudio(input("input", "FP32", "[1,1]", "[[[1]]]"))));
        corpus.add(infer("inputs is an object", 400, "{\"inputs\":{}}"));
        corpus.add(infer("inputs holds a number", 400, "{\"inputs\":[1]}"));
        corpus.add(infer("no inputs", 400, "{\"id\":\"x\"}"));
        corpus.add(infer("unknown top-level field", 400, "{\"inputs\":[],\"evil\":true}"));
        corpus.add(infer("id is a number", 400, "{\"id\":7,\"inputs\":[]}"));
        corpus.add(infer("parameters is an array", 400, "{\"parameters\":[1],\"inputs\":[]}"));
        corpus.add(infer("input without name", 400, request("{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}")));
        corpus.add(infer("shape is a string", 400, withAudio(input("input", "FP32", "\"1,512\"", "[1]"))));
        corpus.add(infer("shape holds a float", 400, withAudio(input("input", "FP32", "[1.5,512]", "[1]"))));
        corpus.add(infer("shape [2147483647, 2147483647]", 413,
                withAudio(input("input", "FP32", "[2147483647,2147483647]", "[1]"))));
        corpus.add(infer("shape [-1]", 400, withAudio(input("input", "FP32", "[-1]", "[]"))));
        corpus.add(infer("shape [0] (an empty tensor the model refuses)", 422,
                withAudio(input("input", "FP32", "[0]", "[]"))));
        corpus.add(infer("shape beyond 2^64", 400,
                withAudio(input("input", "FP32", "[99999999999999999999999]", "[1]"))));
        corpus.add(infer("shape whose product overflows", 400,
                withAudio(input("input", "FP32", "[64000000,64000000,64000000]", "[1]"))));
        corpus.add(infer("rank 17", 413, withAudio(input("input", "FP32", "[" + "1,".repeat(16) + "1]", "[1]"))));
        corpus.add(infer("64M elements declared, 1 sent", 400, withAudio(input("input", "FP64", "[64000000]", "[1]"))));
        corpus.add(infer("more elements than the limit", 413, withAudio(input("input", "FP32", "[64000001]", "[1]"))));
        corpus.add(infer("unknown datatype", 400, withAudio(input("input", "FLOAT", "[1,512]", "[1]"))));
        corpus.add(infer("datatype is a number", 400, withAudio(input("input", "1", "[1,512]", "[1]")
                .replace("\"1\"", "1"))));
        corpus.add(infer("wrong datatype for the model", 422, withAudio(floats("input", "FP64", 512))));
        corpus.add(infer("strings in FP32 data", 400, withAudio(input("input", "FP32", "[1,2]", "[\"a\",\"b\"]"))));
        corpus.add(infer("objects in FP32 data", 400, withAudio(input("input", "FP32", "[1,1]", "[{}]"))));
        corpus.add(infer("NaN literal", 400, withAudio(input("input", "FP32", "[1,1]", "[NaN]"))));
        corpus.add(infer("Infinity literal", 400, withAudio(input("input", "FP32", "[1,1]", "[Infinity]"))));
        corpus.add(infer("\"NaN\" string for INT64", 400, request(input("sr", "INT64", "[]", "[\"NaN\"]"))));
        corpus.add(infer("\"-Infinity\" string for INT64", 400, request(input("sr", "INT64", "[]", "\"-Infinity\""))));
        corpus.add(infer("1e400 for FP32", 400, withAudio(input("input", "FP32", "[1,1]", "[1e400]"))));
        corpus.add(infer("2^63 for INT64", 400, request(input("sr", "INT64", "[]", "[9223372036854775808]"))));
        corpus.add(infer("fewer elements than the shape", 400, withAudio(input("input", "FP32", "[1,512]", "[1,2]"))));
        corpus.add(infer("huge string as FP32 element", 400, withAudio(input("input", "FP32", "[1,1]",
                "[\"" + "x".repeat(900_000) + "\"]"))));
        corpus.add(infer("huge BYTES element", 413, request(input("s", "BYTES", "[1]",
                "[\"" + "x".repeat(100_000) + "\"]"))));
        corpus.add(infer("300k empty BYTES elements", 413, request(input("s", "BYTES", "[300000]",
                "[" + "\"\",".repeat(299_999) + "\"\"]"))));
        corpus.add(infer("huge input name", 422, withAudio(floats("n".repeat(500_000), "FP32", 512))));
        corpus.add(infer("3000 inputs", 413, request(manyInputs(3000))));
        corpus.add(infer("3000 requested outputs", 413, SileroRequests.json("o", SileroRequests.audio(0))
                .replaceFirst("\\}$", ",\"outputs\":[" + manyOutputs(3000) + "]}")));
        corpus.add(infer("duplicate input", 400, withAudio(floats("state", "FP32", 256))));
        corpus.add(infer("duplicate key in an input", 400, withAudio(input("input", "FP32", "[1,1]", "[1]")
                .replace("\"shape\":[1,1]", "\"shape\":[1,1],\"shape\":[1,1]"))));
        corpus.add(infer("unknown input", 422, withAudio(floats("audio", "FP32", 512))));
        corpus.add(infer("unknown requested output", 422, SileroRequests.json("o", SileroRequests.audio(0))
                .replaceFirst("\\}$", ",\"outputs\":[{\"name\":\"nope\"}]}")));
        corpus.add(infer("invalid UTF-8 in a string", 400, new byte[] {'{', '"', 'i', 'd', '"', ':', '"',
                (byte) 0xC3, (byte) 0x28, '"', '}'}, Map.of("Content-Type", "application/json")));
        corpus.add(infer("binary garbage as JSON", 400, garbage(4096), Map.of("Content-Type", "application/json")));
        corpus.add(infer("NUL bytes", 400, new byte[1000], Map.of("Content-Type", "application/json")));
    }

    private void binaryExtension(List<Case> corpus) {
        String header = "{\"inputs\":[{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],"
                + "\"parameters\":{\"binary_data_size\":8}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + 8);
        String length = "Inference-Header-Content-Length";
        Map<String, String> octets = Map.of("Content-Type", "application/octet-stream");
        corpus.add(infer("header length not a number", 400, body, Map.of(length, "abc")));
        corpus.add(infer("header length negative", 400, body, Map.of(length, "-5")));
        corpus.add(infer("header length beyond the body", 400, body, Map.of(length, "99999999999")));
        corpus.add(infer("header length 0", 400, body, Map.of(length, "0")));
        corpus.add(infer("header length cuts the JSON", 400, body, Map.of(length, "20")));
        corpus.add(infer("binary garbage, binary content type", 400, garbage(4096),
                Map.of("Content-Type", "application/octet-stream", length, "100")));
        corpus.add(infer("binary data without the header", 400, body, octets));
        corpus.add(infer("binary_data_size larger than the body", 400,
                header.replace(":8}", ":4611686018427387904}").getBytes(StandardCharsets.UTF_8),
                Map.of(length, Integer.toString(header.length() + 14))));
        corpus.add(infer("binary_data_size not matching the shape", 400,
                Arrays.copyOf(header.replace(":8}", ":4}").getBytes(StandardCharsets.UTF_8), json.length - 1 + 4),
                Map.of(length, Integer.toString(json.length - 1))));
        byte[] bytesBody = ("{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[1],"
                + "\"parameters\":{\"binary_data_size\":8}}]}").getBytes(StandardCharsets.UTF_8);
        byte[] lying = Arrays.copyOf(bytesBody, bytesBody.length + 8);
        lying[bytesBody.length] = (byte) 0xFF;
        lying[bytesBody.length + 1] = (byte) 0xFF;
        lying[bytesBody.length + 2] = (byte) 0xFF;
        lying[bytesBody.length + 3] = (byte) 0x7F;
        corpus.add(infer("BYTES element claiming 2 GB", 413, lying, Map.of(length, Integer.toString(bytesBody.length))));
    }

    private void bodies(List<Case> corpus) {
        byte[] big = new byte[1_200_000];
        Arrays.fill(big, (byte) ' ');
        corpus.add(infer("body over the request limit", 413, big, Map.of("Content-Type", "application/json")));
        corpus.add(new Case("chunked body over the request limit", 413, BILLED,
                () -> http.postChunked(INFER, "application/json", big).status()));
        corpus.add(new Case("slow loris: half a body, then silence (read timeout closes it)", DROPPED, BILLED,
                this::slowLoris));
    }

    /**
     * Sends the headers and half of a 1000-byte body, then nothing: while it dangles, another request is served;
     * the server's read timeout (3 s here) ends it with a 400 or by closing the connection.
     */
    private int slowLoris() {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + http.key() + "\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"inputs\":[" + " ".repeat(489)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertValidInferenceAnswers(); // served while the slow request dangles
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int read;
            while ((read = in.read(buffer)) > 0) {
                answer.write(buffer, 0, read);
                if (answer.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                    break;
                }
            }
            String status = answer.toString(StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : DROPPED;
        } catch (SocketTimeoutException stuck) {
            throw new AssertionError("the server neither answered nor closed a stalled request in 30 s", stuck);
        } catch (IOException e) {
            return DROPPED;
        }
    }

    private void archives(List<Case> corpus) throws IOException {
        byte[] onnx = Files.readAllBytes(SampleModels.silero());
        byte[] descriptor = "{\"format\":\"onnx\",\"file\":\"model.onnx\"}".getBytes(StandardCharsets.UTF_8);
        corpus.add(publish("zip slip (../)", 400, TestArchives.zip("../evil.onnx", onnx, "model.json", descriptor)));
        corpus.add(publish("zip slip (absolute path)", 400, TestArchives.zip("/tmp/evil.onnx", onnx, "model.json", descriptor)));
        corpus.add(publish("zip slip (backslashes)", 400, TestArchives.zip("..\\..\\evil.onnx", onnx, "model.json", descriptor)));
        corpus.add(publish("symbolic link entry", 400, symlinkZip()));
        byte[] zeros = new byte[3 * 1024 * 1024];
        corpus.add(publish("zip bomb (3 MB of zeros, ~3 KB zipped)", 413,
                TestArchives.zip("model.json", descriptor, "model.onnx", zeros)));
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            many.add("f" + i);
            many.add(new byte[] {1});
        }
        corpus.add(publish("25 entries (limit 20)", 413, TestArchives.zip(many.toArray())));
        corpus.add(publish("duplicate entries", 400, duplicateZip(descriptor)));
        corpus.add(publish("not a zip", 400, "PK but not really".getBytes(StandardCharsets.UTF_8)));
        byte[] whole = TestArchives.zip("model.json", descriptor, "model.onnx", onnx);
        corpus.add(publish("truncated zip", 400, Arrays.copyOf(whole, whole.length / 2)));
        corpus.add(publish("archive without model.json", 400, TestArchives.zip("model.onnx", new byte[] {8, 1})));
        corpus.add(new Case("garbage as an ONNX model", 422, NOT_BILLED, () -> http.put(
                "/v2/repository/models/junk/versions/1", "application/octet-stream", garbage(4096)).status()));
        corpus.add(new Case("upload over the publish limit", 413, NOT_BILLED, () -> http.put(
                "/v2/repository/models/big/versions/1", "application/octet-stream", new byte[9 * 1024 * 1024])
                .status()));
        corpus.add(new Case("publish over an existing version", 409, NOT_BILLED,
                () -> http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero()).status()));
    }

    private Case publish(String name, int expected, byte[] zip) {
        return new Case(name, expected, NOT_BILLED,
                () -> http.put("/v2/repository/models/hostile/versions/1", "application/zip", zip).status());
    }

    private void names(List<Case> corpus) {
        corpus.add(new Case("unknown model", 404, NOT_BILLED, () -> http.post("/v2/models/nope/infer", "{}").status()));
        corpus.add(new Case("unknown version", 404, NOT_BILLED,
                () -> http.post("/v2/models/vad/versions/9/infer", "{}").status()));
        corpus.add(new Case("model name with a space", 400, NOT_BILLED,
                () -> http.post("/v2/models/a%20b/infer", "{}").status()));
        corpus.add(new Case("model name starting with '-'", 400, NOT_BILLED,
                () -> http.post("/v2/models/-vad/infer", "{}").status()));
        corpus.add(new Case("publish version '..'", 400, NOT_BILLED, () -> http.put(
                "/v2/repository/models/vad/versions/%2E%2E", "application/octet-stream", new byte[] {1}).status()));
        corpus.add(new Case("publish name of 300 chars", 400, NOT_BILLED, () -> http.put(
                "/v2/repository/models/" + "a".repeat(300) + "/versions/1", "application/octet-stream",
                new byte[] {1}).status()));
        corpus.add(new Case("publish name with %00", 400, NOT_BILLED, () -> http.put(
                "/v2/repository/models/a%00b/versions/1", "application/octet-stream", new byte[] {1}).status()));
    }

    private void billingQueries(List<Case> corpus) {
        for (String[] query : new String[][] {
                {"limit=-1", "negative limit"}, {"limit=99999999999999999999", "limit beyond a long"},
                {"from=yesterday", "from not a time"}, {"to=2026-13-45T99:00:00Z", "to not a date"},
                {"after=%00%FF%FE", "cursor of garbage bytes"}, {"after=" + "A".repeat(500), "500-char cursor"}}) {
            corpus.add(new Case("billing records: " + query[1], 400, NOT_BILLED,
                    () -> http.get("/billing/records?" + query[0]).status()));
        }
        // Longer than the HTTP server's request line limit (4 KB): refused before any controller.
        corpus.add(new Case("billing records: 5000-char query", 413, NOT_BILLED,
                () -> http.get("/billing/records?after=" + "A".repeat(5000)).status()));
        corpus.add(new Case("billing summary: groupBy=../../etc", 400, NOT_BILLED,
                () -> http.get("/billing/summary?groupBy=../../etc").status()));
    }

    private void configAndLimits(List<Case> corpus) {
        String config = "/v2/repository/models/vad/config";
        corpus.add(new Case("config: malformed JSON", 400, NOT_BILLED, () -> http.putJson(config, "{nope").status()));
        corpus.add(new Case("config: 100k nested arrays", 400, NOT_BILLED,
                () -> http.putJson(config, "[".repeat(100_000)).status()));
        corpus.add(new Case("config: maxInstances 1e30", 400, NOT_BILLED,
                () -> http.putJson(config, "{\"maxInstances\": 1e30}").status()));
        corpus.add(new Case("config: negative queue", 400, NOT_BILLED,
                () -> http.putJson(config, "{\"maxQueue\": -1}").status()));
        corpus.add(new Case("config: body over 1 MB", 413, NOT_BILLED,
                () -> http.putJson(config, " ".repeat(1_100_000)).status()));
        corpus.add(new Case("config of an unknown model", 404, NOT_BILLED,
                () -> http.putJson("/v2/repository/models/nope/config", "{}").status()));
        corpus.add(new Case("pool limits: malformed JSON", 400, NOT_BILLED,
                () -> http.putJson("/admin/pool/limits", "{\"cpu\":").status()));
        corpus.add(new Case("pool limits: wrong type", 400, NOT_BILLED,
                () -> http.putJson("/admin/pool/limits", "{\"maxInstancesPerModel\": \"lots\"}").status()));
        corpus.add(new Case("prices: negative price", 400, NOT_BILLED,
                () -> http.putJson("/admin/prices", "{\"perRequest\": \"-1\"}").status()));
        corpus.add(new Case("prices: 10^999", 400, NOT_BILLED,
                () -> http.putJson("/admin/prices", "{\"perRequest\": \"1e999\"}").status()));
    }

    // ---- bodies ----

    private static String floats(String name, String datatype, int count) {
        return input(name, datatype, "[1," + count + "]", "[" + "0.5,".repeat(count - 1) + "0.5]");
    }

    private static String manyInputs(int count) {
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < count; i++) {
            inputs.append(i == 0 ? "" : ",").append(input("i" + i, "FP32", "[1]", "[1]"));
        }
        return inputs.toString();
    }

    private static String manyOutputs(int count) {
        StringBuilder outputs = new StringBuilder();
        for (int i = 0; i < count; i++) {
            outputs.append(i == 0 ? "" : ",").append("{\"name\":\"o").append(i).append("\"}");
        }
        return outputs.toString();
    }

    private static byte[] garbage(int size) {
        byte[] bytes = new byte[size];
        new java.util.Random(7).nextBytes(bytes);
        return bytes;
    }

    /** A link to /etc/passwd next to a descriptor that names it (java.util.zip cannot write links). */
    private static byte[] symlinkZip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry link = new ZipArchiveEntry("model.onnx");
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            zip.putArchiveEntry(new ZipArchiveEntry("model.json"));
            zip.write("{\"format\":\"onnx\",\"file\":\"model.onnx\"}".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** Two entries of the same name (java.util.zip refuses to write them; Commons Compress does not). */
    private static byte[] duplicateZip(byte[] descriptor) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (int i = 0; i < 2; i++) {
                zip.putArchiveEntry(new ZipArchiveEntry("model.json"));
                zip.write(descriptor);
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    // ---- memory ----

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peak usage since the last reset: an upper bound of the heap's peak. */
    private static long peakHeapBytes() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** The heap's peak while the router idles for 3 s, serving only the health checks. */
    private long idlePeakHeapBytes() throws InterruptedException {
        System.gc();
        resetPeaks();
        for (int i = 0; i < 30; i++) {
            http.get("/v2/health/ready");
            Thread.sleep(100);
        }
        return peakHeapBytes();
    }

    private static void print(List<String[]> table, long idlePeak, long corpusPeak) {
        StringBuilder out = new StringBuilder("\nHostile input corpus: " + table.size() + " cases\n\n");
        out.append("| case | expected | got |\n|---|---|---|\n");
        for (String[] row : table) {
            out.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
        }
        out.append(String.format("%nPeak heap: idle %d MiB, during the corpus %d MiB (growth %d MiB, bound %d MiB)%n",
                idlePeak >> 20, corpusPeak >> 20, (corpusPeak - idlePeak) >> 20, MAX_PEAK_HEAP_GROWTH_MB));
        System.out.println(out);
    }
}
