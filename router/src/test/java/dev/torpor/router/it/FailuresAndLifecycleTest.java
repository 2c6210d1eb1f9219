package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What happens when things go wrong or are asked for explicitly: a model that fails to load, a full queue,
 * a deadline, a client that goes away while queued; and the repository's load, unload, index and delete.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailuresAndLifecycleTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    Path dataDir;
    Http http;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of();
    }

    @BeforeEach
    void client() {
        http = Http.operator(server);
        dataDir = Path.of(server.getApplicationContext().getProperty("torpor.data-dir", String.class).orElseThrow());
    }

    private void publish(String name, Path file) {
        Http.Reply published = http.putFile("/v2/repository/models/" + name + "/versions/1", file);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private static String oneImage(int images) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < images * 3 * 48 * 192; i++) {
            data.append(i == 0 ? "" : ",").append((i % 192) / 192.0f);
        }
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + images + ",3,48,192],\"data\":["
                + data + "]}]}";
    }

    private JsonNode lastRecord(String model) {
        JsonNode records = http.get("/billing/records?limit=1000&model=" + model).json().get("records");
        return records.get(records.size() - 1);
    }

    @Test
    void aModelThatFailsToLoadAnswers503WithTheReasonAndBacksOff() throws Exception {
        publish("broken", SampleModels.ocrClassifier());
        // The artifact vanishes after publish (a disk fault): the load fails with the engine's reason.
        Files.delete(dataDir.resolve("models/broken/1/model.onnx"));

        Http.Reply first = http.post("/v2/models/broken/infer", oneImage(1));
        assertThat(first.status()).as(first.body()).isEqualTo(503);
        assertThat(first.json().get("error").asText()).contains("failed to load");
        assertThat(first.header("Retry-After")).isNotNull();
        assertThat(lastRecord("broken").get("status").asText()).isEqualTo("server_error");
        assertThat(lastRecord("broken").get("httpStatus").asInt()).isEqualTo(503);

        JsonNode model = http.get("/v2/repository/models/broken").json();
        assertThat(model.get("lastLoadFailure").get("reason").asText()).isNotBlank();
        assertThat(model.get("lastLoadFailure").get("attempts").asInt()).isEqualTo(1);
        assertThat(model.get("instances")).isEmpty();

        // Within the backoff the next request is refused at once, without another load.
        Http.Reply second = http.post("/v2/models/broken/infer", oneImage(1));
        assertThat(second.status()).isEqualTo(503);
        assertThat(http.get("/v2/repository/models/broken").json().get("lastLoadFailure").get("attempts").asInt())
                .isEqualTo(1);
        JsonNode index = http.post("/v2/repository/index", "").json();
        assertThat(index.toString()).contains("\"name\":\"broken\"").contains("load failed");
        assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);

        // Deleting the broken version retires it from the pool: the model's remaining version shows no failure.
        publish2("broken");
        assertThat(http.delete("/v2/repository/models/broken/versions/1").status()).isEqualTo(204);
        JsonNode failure = http.get("/v2/repository/models/broken").json().get("lastLoadFailure");
        assertThat(failure == null || failure.isNull()).as("the deleted version's failure: %s", failure).isTrue();
    }

    @Test
    void aFullQueueIs429AndAPassedDeadlineIs504() throws Exception {
        publish("queued", SampleModels.ocrClassifier());
        assertThat(http.putJson("/v2/repository/models/queued/config", "{\"maxQueue\": 0}").status()).isEqualTo(200);
        Http.Reply full = http.post("/v2/models/queued/infer", oneImage(1));
        assertThat(full.status()).as(full.body()).isEqualTo(429);
        assertThat(full.header("Retry-After")).isNotNull();
        assertThat(lastRecord("queued").get("status").asText()).isEqualTo("rejected");
        // The refused request still woke the model, so the retry that the 429 asked for is served.
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!http.get("/v2/repository/models/queued").json().get("instances").toString().contains("READY")) {
            assertThat(System.nanoTime()).as("no instance was woken").isLessThan(until);
            Thread.sleep(20);
        }
        assertThat(http.post("/v2/models/queued/infer", oneImage(1)).status()).isEqualTo(200);

        // A cold model cannot load within a 1 ms deadline.
        publish("late", SampleModels.ocrClassifier());
        assertThat(http.putJson("/v2/repository/models/late/config", "{\"requestTimeoutMs\": 1}").status())
                .isEqualTo(200);
        Http.Reply late = http.post("/v2/models/late/infer", oneImage(1));
        assertThat(late.status()).as(late.body()).isEqualTo(504);
        assertThat(lastRecord("late").get("status").asText()).isEqualTo("timeout");
        assertThat(lastRecord("late").get("httpStatus").asInt()).isEqualTo(504);
    }

    @Test
    void aClientThatDisconnectsWhileQueuedIsDequeuedAndBilledAsCancelled() throws Exception {
        publish("patient", SampleModels.ocrClassifier());
        assertThat(http.putJson("/v2/repository/models/patient/config",
                "{\"concurrencyPerInstance\": 1, \"maxInstances\": 1}").status())
                .isEqualTo(200);
        assertThat(http.post("/v2/repository/models/patient/load", "").status()).isEqualTo(200);

        // A long request occupies the only slot...
        String heavy = oneImage(96);
        CompletableFuture<Http.Reply> busy = CompletableFuture.supplyAsync(
                () -> http.post("/v2/models/patient/infer", heavy));
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (http.get("/v2/repository/models/patient").json().get("instances").get(0).get("inFlight").asInt() == 0) {
            assertThat(System.nanoTime()).as("the heavy request never started").isLessThan(until);
            assertThat(busy).isNotDone();
            Thread.sleep(2);
        }
        // ...so this one queues, and its client hangs up.
        byte[] body = oneImage(1).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/models/patient/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + http.key() + "\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Thread.sleep(50);
        }
        assertThat(busy.join().status()).isEqualTo(200);
        until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode cancelled = null;
        while (cancelled == null && System.nanoTime() < until) {
            for (JsonNode record : http.get("/billing/records?model=patient").json().get("records")) {
                if (record.get("status").asText().equals("cancelled")) {
                    cancelled = record;
                }
            }
            Thread.sleep(20);
        }
        assertThat(cancelled).as("a cancelled record").isNotNull();
        assertThat(cancelled.get("computeMs").asDouble()).isZero();
        assertThat(http.get("/billing/records?model=patient").json().get("records")).hasSize(2);
    }

    @Test
    void loadUnloadIndexAndDelete() {
        publish("cycle", SampleModels.ocrClassifier());
        assertThat(indexEntry("cycle").get("state").asText()).isEqualTo("UNAVAILABLE");
        assertThat(indexEntry("cycle").get("reason").asText()).isEqualTo("scaled to zero");

        Http.Reply loaded = http.post("/v2/repository/models/cycle/load", "");
        assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
        assertThat(loaded.json().get("instances").get(0).get("state").asText()).isEqualTo("READY");
        assertThat(indexEntry("cycle").get("state").asText()).isEqualTo("READY");
        Http.Reply warm = http.post("/v2/models/cycle/infer", oneImage(1));
        assertThat(warm.header("torpor-cold-start")).isEqualTo("false");

        Http.Reply unloaded = http.post("/v2/repository/models/cycle/unload", "");
        assertThat(unloaded.status()).isEqualTo(200);
        assertThat(unloaded.json().get("instances")).isEmpty();
        assertThat(http.get("/v2/models/cycle/ready").json().get("ready").asBoolean()).isTrue();
        assertThat(http.post("/v2/models/cycle/infer", oneImage(1)).header("torpor-cold-start")).isEqualTo("true");

        publish2("cycle");
        assertThat(http.get("/v2/models/cycle").json().get("versions")).hasSize(2);
        assertThat(http.delete("/v2/repository/models/cycle/versions/1").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/cycle/versions/1").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/cycle").json().get("versions").toString()).isEqualTo("[\"2\"]");
        assertThat(Files.exists(dataDir.resolve("models/cycle/1"))).isFalse();
        assertThat(http.delete("/v2/repository/models/cycle/versions/2").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/cycle").status()).isEqualTo(404);
        // The ledger keeps the deleted model's records.
        assertThat(http.get("/billing/records?model=cycle").json().get("records")).hasSize(2);
    }

    @Test
    void minInstancesKeepAModelWarmThroughItsIdleTimeout() throws Exception {
        publish("kept", SampleModels.ocrClassifier());
        assertThat(http.putJson("/v2/repository/models/kept/config", "{\"minInstances\": 1, \"idleTimeoutSeconds\": 1}")
                .status()).isEqualTo(200);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!http.get("/v2/repository/models/kept").json().get("instances").toString().contains("READY")) {
            assertThat(System.nanoTime()).as("minInstances woke no instance").isLessThan(until);
            Thread.sleep(20);
        }
        Thread.sleep(2500); // more than twice the idle timeout
        JsonNode instances = http.get("/v2/repository/models/kept").json().get("instances");
        assertThat(instances).hasSize(1);
        assertThat(instances.get(0).get("state").asText()).isEqualTo("READY");
        assertThat(http.post("/v2/models/kept/infer", oneImage(1)).header("torpor-cold-start")).isEqualTo("false");

        // Back to zero allowed: the idle timeout takes the last instance.
        assertThat(http.putJson("/v2/repository/models/kept/config", "{\"minInstances\": null}").status())
                .isEqualTo(200);
        until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (http.get("/v2/repository/models/kept").json().get("instances").size() > 0) {
            assertThat(System.nanoTime()).as("never scaled to zero").isLessThan(until);
            Thread.sleep(50);
        }
    }

    private void publish2(String name) {
        Http.Reply published = http.putFile("/v2/repository/models/" + name + "/versions/2", SampleModels.ocrClassifier());
        assertThat(published.status()).isEqualTo(201);
    }

    private JsonNode indexEntry(String name) {
        for (JsonNode entry : http.post("/v2/repository/index", "").json()) {
            if (entry.get("name").asText().equals(name)) {
                return entry;
            }
        }
        throw new AssertionError("no index entry for " + name);
    }
}
