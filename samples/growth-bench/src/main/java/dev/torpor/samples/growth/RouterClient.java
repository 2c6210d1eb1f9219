package dev.torpor.samples.growth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP calls the bench makes, over one HTTP/1.1 keep-alive connection, each checked for its success
 * status. Sends {@code Authorization: Bearer <operator key>} when the router has keys.
 */
final class RouterClient {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;
    private final Optional<String> bearer;

    RouterClient(URI base, Optional<String> bearer) {
        this.base = base;
        this.bearer = bearer;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120));
        bearer.ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        return builder;
    }

    /** PUT /v2/repository/models/{name}/versions/{version} with an .onnx file. */
    void publishOnnx(String name, String version, byte[] onnx) throws IOException, InterruptedException {
        HttpRequest put = request("/v2/repository/models/" + name + "/versions/" + version)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(onnx))
                .build();
        expect(put, 201);
    }

    /** POST /v2/models/{name}/infer with a JSON body. */
    void infer(String name, String json) throws IOException, InterruptedException {
        HttpRequest post = request("/v2/models/" + name + "/infer")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        expect(post, 200);
    }

    /** PUT {@code path} with a JSON body, expecting 200 (pool limits, model configs). */
    void putJson(String path, String json) throws IOException, InterruptedException {
        expect(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), 200);
    }

    /** GET {@code path}, expecting 200; returns the body as text. */
    String getText(String path) throws IOException, InterruptedException {
        return new String(expect(request(path).GET().build(), 200), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** POST {@code path} with no body, expecting 200 (load, unload). */
    void post(String path) throws IOException, InterruptedException {
        expect(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), 200);
    }

    /** GET {@code path}; returns the body's length in bytes. */
    int get(String path) throws IOException, InterruptedException {
        return expect(request(path).GET().build(), 200).length;
    }

    private byte[] expect(HttpRequest request, int status) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != status) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + " (expected " + status + "): "
                    + new String(response.body(), 0, Math.min(500, response.body().length)));
        }
        return response.body();
    }
}
