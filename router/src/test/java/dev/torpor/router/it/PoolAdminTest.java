package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operators' pool endpoints on a real router: the view, live limit changes, hostile input, persistence
 * across a restart, and eviction when the pool is full (three real models, two instances allowed).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolAdminTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    @Inject
    ApplicationContext context;
    Http http;

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    private Http.Reply putLimits(String json) {
        return http.putJson("/admin/pool/limits", json);
    }

    @Test
    void thePoolViewShowsDevicesLimitsAndInstances() {
        JsonNode pool = http.get("/admin/pool").json();
        JsonNode cpu = pool.get("devices").get(0);
        assertThat(cpu.get("id").asText()).isEqualTo("cpu");
        assertThat(cpu.get("kind").asText()).isEqualTo("CPU");
        assertThat(cpu.get("memoryMbTotal").asLong()).isPositive();
        assertThat(cpu.has("memoryMbUsed")).isTrue();
        assertThat(cpu.has("instances")).isTrue();
        JsonNode limits = pool.get("limits");
        assertThat(limits.get("maxInstancesPerModel").isNumber()).isTrue();
        assertThat(limits.get("cpu").get("memoryMb").asLong()).isPositive();
        assertThat(limits.get("gpu").has("memoryMbPerDevice")).isTrue();
        assertThat(limits.get("gpu").get("memoryMbPerDevice").isNull()).isTrue();
        assertThat(limits.get("defaultIdleTimeoutSeconds").asLong()).isEqualTo(300);
        assertThat(pool.get("instances").isArray()).isTrue();
    }

    @Test
    void hostileLimitsAreRefusedWith400NamingTheFieldAndChangeNothing() {
        String before = http.get("/admin/pool").json().get("limits").toString();
        Map<String, String> cases = new HashMap<>();
        cases.put("{\"maxInstances\": -1}", "maxInstances");
        cases.put("{\"maxInstances\": 1.5}", "maxInstances");
        cases.put("{\"maxInstances\": \"8\"}", "maxInstances");
        cases.put("{\"maxInstances\": 99999999999}", "maxInstances");
        cases.put("{\"maxQueuedTotal\": true}", "maxQueuedTotal");
        cases.put("{\"bogus\": 1}", "bogus");
        cases.put("{\"cpu\": {\"cores\": 4}}", "cpu.cores");
        cases.put("{\"cpu\": 4}", "cpu");
        cases.put("{\"gpu\": {\"memoryMbPerDevice\": -5}}", "gpu.memoryMbPerDevice");
        cases.put("{\"defaultIdleTimeoutSeconds\": 0}", "defaultIdleTimeoutSeconds");
        cases.put("[1, 2]", "JSON object");
        cases.put("{\"maxInstances\": ", "malformed JSON");
        cases.put("", "JSON object");
        cases.forEach((body, field) -> {
            Http.Reply refused = putLimits(body);
            assertThat(refused.status()).as(body + " → " + refused.body()).isEqualTo(400);
            assertThat(refused.json().get("error").asText()).as(body).contains(field);
        });
        Http.Reply huge = http.put("/admin/pool/limits", "application/json", new byte[100_000]);
        assertThat(huge.status()).as(huge.body()).isEqualTo(413);
        assertThat(http.get("/admin/pool").json().get("limits").toString()).isEqualTo(before);
    }

    @Test
    void limitsMergeApplyLiveAndSurviveARestart() {
        Http.Reply updated = putLimits("{\"maxQueuedTotal\": 500, \"gpu\": {\"memoryMbPerDevice\": 8192},"
                + " \"cpu\": {\"maxInstances\": null}}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get("maxQueuedTotal").asInt()).isEqualTo(500);
        assertThat(updated.json().get("gpu").get("memoryMbPerDevice").asLong()).isEqualTo(8192);
        assertThat(updated.json().get("gpu").get("maxInstancesPerDevice").asInt()).isEqualTo(8);
        assertThat(updated.json().get("cpu").get("maxInstances").isNull()).isTrue(); // no limit beyond the device
        assertThat(updated.json().get("cpu").get("memoryMb").asLong()).isPositive(); // untouched default
        assertThat(http.get("/admin/pool").json().get("limits")).isEqualTo(updated.json());

        // A second router on the same database (a restart) reads the same limits.
        Map<String, Object> properties = new HashMap<>();
        context.getProperties("torpor").forEach((key, value) -> properties.put("torpor." + key, value));
        properties.put("micronaut.server.port", -1);
        try (EmbeddedServer restarted = ApplicationContext.run(EmbeddedServer.class, properties)) {
            JsonNode limits = Http.operator(restarted).get("/admin/pool").json().get("limits");
            assertThat(limits).isEqualTo(updated.json());
        }
        assertThat(putLimits("{\"maxQueuedTotal\": 10000, \"gpu\": {\"memoryMbPerDevice\": null},"
                + " \"cpu\": {\"maxInstances\": 8}}").status()).isEqualTo(200);
    }

    @Test
    void aFullPoolEvictsTheLeastRecentlyUsedIdleModelForAThirdOne() {
        for (String name : new String[] {"first", "second", "third"}) {
            assertThat(http.putFile("/v2/repository/models/" + name + "/versions/1", SampleModels.silero()).status())
                    .isEqualTo(201);
        }
        assertThat(putLimits("{\"maxInstances\": 2}").status()).isEqualTo(200);
        try {
            String request = SileroRequests.json("r", SileroRequests.audio(1));
            assertThat(http.post("/v2/models/first/infer", request).status()).isEqualTo(200);
            assertThat(http.post("/v2/models/second/infer", request).status()).isEqualTo(200);

            Http.Reply third = http.post("/v2/models/third/infer", request);

            assertThat(third.status()).as(third.body()).isEqualTo(200);
            assertThat(third.header("torpor-cold-start")).isEqualTo("true");
            JsonNode pool = http.get("/admin/pool").json();
            assertThat(pool.get("instances")).hasSize(2);
            assertThat(pool.get("instances").toString()).doesNotContain("\"model\":\"first\"")
                    .contains("\"model\":\"second\"").contains("\"model\":\"third\"");
            assertThat(pool.get("devices").get(0).get("instances").asInt()).isEqualTo(2);

            // Lowered live: the surplus idle instance drains at once.
            assertThat(putLimits("{\"maxInstances\": 1}").status()).isEqualTo(200);
            assertThat(http.get("/admin/pool").json().get("instances")).hasSize(1);
        } finally {
            assertThat(putLimits("{\"maxInstances\": 16}").status()).isEqualTo(200);
        }
    }

    @Test
    void aModelNoDeviceCanHoldIsRefusedAtOnceWith503AndBilledRejected() {
        assertThat(http.putFile("/v2/repository/models/enormous/versions/1", SampleModels.silero()).status())
                .isEqualTo(201);
        assertThat(http.putJson("/v2/repository/models/enormous/config", "{\"memoryMb\": 2000000000}").status())
                .isEqualTo(200);
        Http.Reply refused = http.post("/v2/models/enormous/infer", SileroRequests.json("r", SileroRequests.audio(1)));
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(refused.json().get("error").asText()).contains("needs 2000000000 MiB");
        JsonNode records = http.get("/billing/records?model=enormous").json().get("records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("status").asText()).isEqualTo("rejected");
    }
}
