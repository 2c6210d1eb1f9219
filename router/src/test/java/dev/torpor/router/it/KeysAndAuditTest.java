package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Keys over the API and the bootstrap key on a real router: a key works as soon as it is created and stops the
 * moment it is deleted, is shown once and never listed, bad key requests are precise 400s, the last operator key
 * cannot be deleted, and every change lands in the audit log with who did it.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysAndAuditTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;
    Http operator;

    @BeforeEach
    void client() {
        operator = Http.operator(server);
    }

    private Path dataDir() {
        return Path.of(server.getApplicationContext().getRequiredProperty("torpor.data-dir", String.class));
    }

    @Test
    void theBootstrapKeyIsAnOperatorKeyInAnOwnerOnlyFile() throws Exception {
        Path file = dataDir().resolve("operator.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).strip()).matches("tpk_[A-Za-z0-9_-]{43}");
        JsonNode keys = operator.get("/admin/keys").json().get("keys");
        assertThat(keys.get(0).get("role").asText()).isEqualTo("operator");
        assertThat(keys.get(0).get("tenant").asText()).isEqualTo("default");
        assertThat(keys.toString()).doesNotContain(Files.readString(file).strip()).doesNotContain("hash");
    }

    @Test
    void aCreatedKeyWorksAtOnceIsNeverListedAndStopsWhenDeleted() {
        Http.Reply created = operator.post("/admin/keys", "{\"role\": \"publisher\", \"tenant\": \"team-x\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.json().get("key").asText();
        String id = created.json().get("id").asText();
        assertThat(created.json().get("role").asText()).isEqualTo("publisher");
        assertThat(created.json().get("tenant").asText()).isEqualTo("team-x");
        Http publisher = operator.withKey(key);
        assertThat(publisher.get("/v2").status()).isEqualTo(200);
        assertThat(publisher.get("/admin/keys").status()).isEqualTo(403);
        assertThat(operator.get("/admin/keys").body()).contains(id).doesNotContain(key);

        assertThat(operator.delete("/admin/keys/" + id).status()).isEqualTo(204);
        Http.Reply refused = publisher.get("/v2");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain(key);
        assertThat(operator.delete("/admin/keys/" + id).status()).isEqualTo(404);
    }

    @Test
    void badKeyRequestsArePrecise400s() {
        Map<String, String> cases = Map.of(
                "{\"role\": \"admin\", \"tenant\": \"a\"}", "role must be one of",
                "{\"role\": \"invoker\"}", "tenant is required",
                "{\"role\": \"invoker\", \"tenant\": \"../etc\"}", "tenant must match",
                "{\"role\": \"invoker\", \"tenant\": \"" + "t".repeat(65) + "\"}", "tenant must match",
                "{\"role\": \"invoker\", \"tenant\": \"a\", \"admin\": true}", "unknown field 'admin'",
                "{\"role\": 7, \"tenant\": \"a\"}", "role must be a string",
                "[1, 2]", "must be a JSON object",
                "{\"role\": ", "malformed JSON",
                "", "must be a JSON object");
        cases.forEach((body, message) -> {
            Http.Reply reply = operator.post("/admin/keys", body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.json().get("error").asText()).as(body).contains(message);
        });
        Http.Reply huge = operator.post("/admin/keys", "{\"tenant\": \"" + "a".repeat(10_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.json().get("error").asText()).contains("4 KB");
    }

    @Test
    void hostileAuthorizationHeadersAre4xxAndChangeNothing() {
        int keysBefore = operator.get("/admin/keys").json().get("keys").size();
        for (String hostile : List.of("A".repeat(20_000), "tpk_" + "A".repeat(43) + "\u00e9", "' OR 1=1 --",
                "tpk_" + "A".repeat(42) + "%", "../../operator.key")) {
            Http.Reply reply = operator.withKey(hostile).get("/v2/repository/models");
            assertThat(reply.status()).as(hostile.substring(0, Math.min(20, hostile.length())))
                    .isBetween(400, 499);
            assertThat(reply.body()).doesNotContain(hostile.length() > 20 ? hostile.substring(0, 20) : hostile);
        }
        assertThat(operator.get("/v2/health/ready").status()).isEqualTo(200);
        assertThat(operator.get("/admin/keys").json().get("keys").size()).isEqualTo(keysBefore);
    }

    @Test
    void theLastOperatorKeyCannotBeDeleted() {
        String bootstrapId = operator.get("/admin/keys").json().get("keys").get(0).get("id").asText();
        List<String> others = new ArrayList<>();
        operator.get("/admin/keys").json().get("keys").forEach(k -> {
            if (k.get("role").asText().equals("operator") && !k.get("id").asText().equals(bootstrapId)) {
                others.add(k.get("id").asText());
            }
        });
        others.forEach(id -> operator.delete("/admin/keys/" + id));
        Http.Reply refused = operator.delete("/admin/keys/" + bootstrapId);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("last operator key");

        Http.Reply second = operator.post("/admin/keys", "{\"role\": \"operator\", \"tenant\": \"ops\"}");
        Http other = operator.withKey(second.json().get("key").asText());
        assertThat(other.get("/admin/pool").status()).isEqualTo(200);
        assertThat(other.delete("/admin/keys/" + second.json().get("id").asText()).status()).isEqualTo(204);
    }

    @Test
    void everyChangeIsAuditedWithWhoDidIt() {
        Http.Reply created = operator.post("/admin/keys", "{\"role\": \"publisher\", \"tenant\": \"audited\"}");
        String publisherId = created.json().get("id").asText();
        Http publisher = operator.withKey(created.json().get("key").asText());
        assertThat(publisher.putFile("/v2/repository/models/aud/versions/1", SampleModels.silero()).status())
                .isEqualTo(201);
        assertThat(publisher.putJson("/v2/repository/models/aud/config", "{\"maxQueue\": 7}").status()).isEqualTo(200);
        assertThat(operator.putJson("/admin/pool/limits", "{\"maxQueuedTotal\": 5000}").status()).isEqualTo(200);
        assertThat(operator.putJson("/admin/prices", "{\"perRequest\": \"0.000001\"}").status()).isEqualTo(200);
        assertThat(publisher.delete("/v2/repository/models/aud/versions/1").status()).isEqualTo(204);
        assertThat(operator.delete("/admin/keys/" + publisherId).status()).isEqualTo(204);

        JsonNode entries = operator.get("/admin/audit?limit=1000").json().get("entries");
        assertThat(find(entries, "key.create", publisherId).get("detail").get("tenant").asText()).isEqualTo("audited");
        JsonNode publish = find(entries, "model.publish", "aud/1");
        assertThat(publish.get("keyId").asText()).isEqualTo(publisherId);
        assertThat(publish.get("role").asText()).isEqualTo("publisher");
        assertThat(publish.get("tenant").asText()).isEqualTo("audited");
        assertThat(find(entries, "model.config", "aud").get("detail").get("maxQueue").asInt()).isEqualTo(7);
        assertThat(find(entries, "pool.limits", "pool").get("detail").get("maxQueuedTotal").asInt()).isEqualTo(5000);
        assertThat(find(entries, "prices.update", "prices").get("detail").get("perRequest").asText()).isEqualTo("0.000001");
        assertThat(find(entries, "model.delete", "aud/1").get("keyId").asText()).isEqualTo(publisherId);
        assertThat(find(entries, "key.delete", publisherId).get("role").asText()).isEqualTo("operator");
        assertThat(entries.toString()).doesNotContain(created.json().get("key").asText());

        JsonNode onlyKeys = operator.get("/admin/audit?action=key.delete&limit=1000").json().get("entries");
        onlyKeys.forEach(e -> assertThat(e.get("action").asText()).isEqualTo("key.delete"));
        JsonNode page = operator.get("/admin/audit?limit=1").json();
        assertThat(page.get("entries").size()).isEqualTo(1);
        JsonNode next = operator.get("/admin/audit?limit=1&after=" + page.get("next").asText()).json();
        assertThat(next.get("entries").get(0).get("id").asText())
                .isGreaterThan(page.get("entries").get(0).get("id").asText());
        assertThat(operator.get("/admin/audit?limit=0").status()).isEqualTo(400);
        assertThat(operator.get("/admin/audit?limit=x").status()).isEqualTo(400);
        assertThat(operator.get("/admin/audit?limit=1001").status()).isEqualTo(400);
        assertThat(operator.get("/admin/audit?limit=99999999999999999999").status()).isEqualTo(400);
        // Hostile filters are values, never SQL: nothing matches them.
        JsonNode injected = operator.get("/admin/audit?after=%27%20OR%201%3D1%20--&action=%3Cscript%3E").json();
        assertThat(injected.get("entries").size()).isZero();
        Http.Reply hostileId = operator.delete("/admin/keys/%27%20OR%201%3D1%20--%0A%1B%5B31m");
        assertThat(hostileId.status()).isEqualTo(404);
        assertThat(hostileId.body()).doesNotContain("\u001b").doesNotContain("\n");
    }

    private static JsonNode find(JsonNode entries, String action, String target) {
        for (JsonNode entry : entries) {
            if (entry.get("action").asText().equals(action) && entry.get("target").asText().equals(target)) {
                return entry;
            }
        }
        throw new AssertionError("no audit entry " + action + " " + target + " in " + entries);
    }

    @Test
    void aRestartKeepsTheKeysAndWritesNoNewBootstrapKey() throws Exception {
        Path file = dataDir().resolve("operator.key");
        String before = Files.readString(file);
        Map<String, Object> properties = new java.util.HashMap<>(getProperties());
        properties.put("torpor.data-dir", dataDir().toString());
        EmbeddedServer other = ApplicationContext.run(EmbeddedServer.class, properties);
        try {
            assertThat(Files.readString(file)).isEqualTo(before);
            assertThat(Http.operator(other).get("/admin/keys").status()).isEqualTo(200);
        } finally {
            other.getApplicationContext().close();
        }
    }
}
