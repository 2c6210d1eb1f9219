package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operators' billing endpoints on a real router. {@code GET /admin/billing/reconcile}: an instance's own engine time matches the compute time
 * billed to it, while it runs and after it has stopped; bad parameters are 400.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    Http http;

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    private JsonNode instanceEntry(String model) {
        for (JsonNode entry : http.get("/admin/billing/reconcile").json().get("instances")) {
            if (entry.get("model").asText().equals(model)) {
                return entry;
            }
        }
        return null;
    }

    @Test
    void billedComputeTimeMatchesWhatTheInstanceMeasuredLiveAndAfterItStops() throws Exception {
        assertThat(http.putFile("/v2/repository/models/rec/versions/1", SampleModels.silero()).status()).isEqualTo(201);
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/v2/models/rec/infer", SileroRequests.json("r" + i, SileroRequests.audio(i)))
                    .status()).isEqualTo(200);
        }
        // The usage table is refreshed once a second: wait until the live instance is in it.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (instanceEntry("rec") == null) {
            assertThat(System.nanoTime()).as("instance never appeared in the reconciliation").isLessThan(until);
            Thread.sleep(100);
        }
        JsonNode live = instanceEntry("rec");
        assertThat(live.get("live").asBoolean()).isTrue();
        assertThat(live.get("runs").asLong()).isEqualTo(5);
        assertThat(live.get("records").asLong()).isEqualTo(5);
        assertThat(live.get("busyMs").asDouble()).isPositive();
        assertThat(live.get("consistent").asBoolean()).as(live.toString()).isTrue();

        assertThat(http.post("/v2/repository/models/rec/unload", "").status()).isEqualTo(200);
        until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (instanceEntry("rec").get("live").asBoolean()) {
            assertThat(System.nanoTime()).as("the stopped instance is still live").isLessThan(until);
            Thread.sleep(50);
        }
        JsonNode stopped = instanceEntry("rec");
        assertThat(stopped.get("runs").asLong()).isEqualTo(5);
        assertThat(stopped.get("busyMs").asDouble()).isEqualTo(live.get("busyMs").asDouble());
        assertThat(stopped.get("consistent").asBoolean()).as(stopped.toString()).isTrue();
        JsonNode totals = http.get("/admin/billing/reconcile?from=2020-01-01T00:00:00Z").json().get("totals");
        assertThat(totals.get("inconsistent").asInt()).isZero();
    }

    @Test
    void badParametersAre400() {
        Http.Reply malformed = http.get("/admin/billing/reconcile?from=yesterday");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).contains("from");
        Http.Reply backwards = http.get("/admin/billing/reconcile?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z");
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(backwards.json().get("error").asText()).contains("before");
        assertThat(http.get("/admin/billing/reconcile?to=2000-01-01T00:00:00Z").json().get("instances")).isEmpty();
    }

    @Test
    void deletingRecordsNeedsAValidCutoff() {
        Http.Reply missing = http.delete("/admin/billing/records");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).contains("before");
        Http.Reply malformed = http.delete("/admin/billing/records?before=soon");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).contains("before");
        Http.Reply nothingThatOld = http.delete("/admin/billing/records?before=2000-01-01T00:00:00Z");
        assertThat(nothingThatOld.status()).isEqualTo(200);
        assertThat(nothingThatOld.json().get("deleted").asLong()).isZero();
    }
}
