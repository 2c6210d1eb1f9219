package dev.torpor.router.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A small real-HTTP client for the integration tests, on the JDK's own client. Sends {@code Authorization:
 * Bearer <key>} when it has a key: {@link #operator} reads the bootstrap operator key a router wrote to its data
 * dir; {@link #withKey} makes a client for another key; {@code new Http(url)} sends none.
 */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final String base;
    private final String key;

    Http(URL base) {
        this(newClient(), base.toString(), null);
    }

    private Http(HttpClient client, String url, String key) {
        this.client = client;
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.key = key;
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A client with the operator key that the router (running in this JVM) bootstrapped into its data dir. */
    static Http operator(EmbeddedServer server) {
        Path dataDir = Path.of(server.getApplicationContext().getRequiredProperty("torpor.data-dir", String.class));
        return operator(server.getURL(), dataDir);
    }

    /** A client with the operator key that a router bootstrapped into {@code dataDir}. */
    static Http operator(URL base, Path dataDir) {
        try {
            return new Http(newClient(), base.toString(), Files.readString(dataDir.resolve("operator.key")).strip());
        } catch (IOException missing) {
            throw new UncheckedIOException("no operator key in " + dataDir + " (is auth on?)", missing);
        }
    }

    /** The same server, another key (null: none). */
    Http withKey(String otherKey) {
        return new Http(client, base, otherKey);
    }

    String key() {
        return key;
    }

    /** A response with its body parsed as JSON where it is JSON. */
    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException notJson) {
                throw new AssertionError("not JSON (" + status + "): " + body, notJson);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Reply get(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
    }

    Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply post(String path, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Reply put(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Reply putFile(String path, Path file) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (IOException missing) {
            throw new UncheckedIOException(missing);
        }
    }

    Reply putJson(String path, String json) {
        return put(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** Any request: a method, headers and a body of the caller's choosing (hostile-input tests). */
    Reply send(String method, String path, java.util.Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request);
    }

    /** A POST whose body is sent chunked (no Content-Length), as a stream of unknown length is. */
    Reply postChunked(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    HttpClient client() {
        return client;
    }

    /** Adds this client's key to a request built elsewhere. */
    HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    private Reply send(HttpRequest.Builder request) {
        authorize(request);
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response);
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
