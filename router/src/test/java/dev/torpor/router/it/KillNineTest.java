package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.ChildRouter;
import dev.torpor.fixtures.SampleModels;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's promise under the worst crash: a real router in a child JVM (the test classpath's main) serves
 * Silero VAD under sustained load from 8 clients; it is killed with SIGKILL mid-load, restarted on the same data
 * dir, and then every {@code torpor-request-id} a client received must be in the ledger exactly once, and every
 * record in the ledger must carry a response status.
 */
class KillNineTest {
    @TempDir
    Path dataDir;

    @Test
    void everyAnsweredRequestIsInTheLedgerAfterKillNineAndRestart() throws Exception {
        int port = ChildRouter.freePort();
        Process router = start(port);
        Map<String, Integer> received = new ConcurrentHashMap<>();
        try {
            Http http = Http.operator(new URL("http://127.0.0.1:" + port), dataDir);
            Http.Reply published = http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
            assertThat(published.status()).as(published.body()).isEqualTo(201);

            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int seed = c;
                Thread t = new Thread(() -> {
                    String body = SileroRequests.json("k", SileroRequests.audio(seed));
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/v2/models/vad/infer")).header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + http.key())
                            .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build();
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                            r.headers().firstValue("torpor-request-id").ifPresent(id -> received.put(id, r.statusCode()));
                        } catch (IOException | InterruptedException gone) {
                            if (!running.get()) {
                                return;
                            }
                        }
                    }
                });
                t.start();
                clients.add(t);
            }
            Thread.sleep(3_000); // sustained load
            int beforeKill = received.size();
            router.destroyForcibly(); // SIGKILL: no shutdown hook, no ledger flush
            router.waitFor();
            running.set(false);
            for (Thread t : clients) {
                t.join(15_000);
            }
            assertThat(beforeKill).as("responses received before the kill").isGreaterThan(100);
        } finally {
            router.destroyForcibly();
        }

        Process restarted = start(port);
        try {
            Http http = Http.operator(new URL("http://127.0.0.1:" + port), dataDir);
            Map<String, Integer> ledger = new HashMap<>();
            List<String> order = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = http.get("/billing/records?limit=1000" + (cursor == null ? "" : "&after=" + cursor)).json();
                for (JsonNode r : page.get("records")) {
                    order.add(r.get("id").asText());
                    ledger.put(r.get("id").asText(), r.get("httpStatus").asInt());
                    assertThat(r.get("status").asText()).isNotBlank();
                    assertThat(r.get("httpStatus").asInt()).as("record %s has a response status", r.get("id"))
                            .isGreaterThanOrEqualTo(200);
                }
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
            } while (cursor != null);

            assertThat(order).as("each record once").doesNotHaveDuplicates();
            Set<String> lost = new HashSet<>(received.keySet());
            lost.removeAll(ledger.keySet());
            System.out.printf("kill -9: %d responses received, %d records in the ledger, %d lost%n",
                    received.size(), ledger.size(), lost.size());
            assertThat(lost).as("answered requests missing from the ledger").isEmpty();
            received.forEach((id, status) -> assertThat(ledger.get(id)).as(id).isEqualTo(status));
        } finally {
            restarted.destroy();
            restarted.waitFor();
        }
    }

    private Process start(int port) throws Exception {
        return ChildRouter.onTestClassPath().tempPrefix("torpor-kill9-").port(port).dataDir(dataDir).start()
                .awaitReady(Duration.ofSeconds(60)).process();
    }
}
