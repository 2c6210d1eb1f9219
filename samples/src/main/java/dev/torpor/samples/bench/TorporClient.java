package dev.torpor.samples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP calls the bench makes to Torpor: one JDK {@link HttpClient} forced to HTTP/1.1, whose connection
 * pool keeps the loopback connection alive between requests. Every call has a timeout, so the bench cannot hang.
 */
final class TorporClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One infer call as the client saw it: {@code nanos} from just before send to the last byte of the body;
     * {@code coldStart} and {@code queueMs} are the server's {@code torpor-cold-start} and {@code torpor-queue-ms}
     * headers (queue time includes waiting for a cold model to load).
     */
    record Infer(int status, long nanos, String coldStart, double queueMs, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;
    private final String bearer;

    TorporClient(URI base) {
        this(base, null);
    }

    /** @param bearer the operator's key, sent as {@code Authorization: Bearer} on every call; null for none */
    TorporClient(URI base, String bearer) {
        this.base = base;
        this.bearer = bearer;
    }

    private HttpRequest.Builder to(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        return bearer == null ? builder : builder.header("Authorization", "Bearer " + bearer);
    }

    /** PUT /v2/repository/models/{model}/config: merges the JSON into the model's config; requires 200. */
    void putConfig(String model, String json) throws IOException, InterruptedException {
        HttpRequest request = to("/v2/repository/models/" + model + "/config")
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build();
        expect(200, http.send(request, HttpResponse.BodyHandlers.ofString()), "config of " + model);
    }

    /** PUT /v2/repository/models/{model}/versions/{version} with the .onnx file; requires 201. */
    void publish(String model, String version, Path onnx) throws IOException, InterruptedException {
        HttpRequest request = to("/v2/repository/models/" + model + "/versions/" + version)
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(onnx))
                .build();
        expect(201, http.send(request, HttpResponse.BodyHandlers.ofString()), "publish " + model);
    }

    /** POST /v2/repository/models/{model}/unload: returns once the model is at zero instances (200). */
    void unload(String model) throws IOException, InterruptedException {
        HttpRequest request = to("/v2/repository/models/" + model + "/unload")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        expect(200, http.send(request, HttpResponse.BodyHandlers.ofString()), "unload " + model);
    }

    /** A reusable infer request: the JSON body is encoded once, here, not per call. */
    HttpRequest inferRequest(String model, String json) {
        return to("/v2/models/" + model + "/infer")
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    Infer infer(HttpRequest request) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long nanos = System.nanoTime() - start;
        String cold = response.headers().firstValue("torpor-cold-start").orElse("(missing)");
        double queueMs = response.headers().firstValue("torpor-queue-ms").map(Double::parseDouble).orElse(Double.NaN);
        return new Infer(response.statusCode(), nanos, cold, queueMs, response.body());
    }

    /** The outputs of an infer response, by name, as floats (each JSON number parsed, then narrowed to float). */
    static Map<String, float[]> outputs(byte[] body) throws IOException {
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (JsonNode output : JSON.readTree(body).path("outputs")) {
            outputs.put(output.path("name").asText(), floats(output.path("data")));
        }
        return outputs;
    }

    /** {@code data}, flat or nested (the protocol allows both), row-major as floats. */
    static float[] floats(JsonNode data) {
        java.util.List<Float> flat = new java.util.ArrayList<>();
        flatten(data, flat);
        float[] values = new float[flat.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = flat.get(i);
        }
        return values;
    }

    private static void flatten(JsonNode node, java.util.List<Float> into) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, into));
        } else {
            into.add((float) node.asDouble());
        }
    }

    private static void expect(int status, HttpResponse<String> response, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + response.statusCode()
                    + " " + response.body());
        }
    }
}
