package dev.torpor.router.it;

import dev.torpor.fixtures.SampleModels;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.model.ModelConfigs;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deleting versions and whole models on a real router with auth on: a deleted pinned version clears the pin, a
 * stale pin never breaks a listing and can always be repaired, a version number once used stays used, and
 * {@code DELETE /v2/repository/models/{m}} drains, deletes the versions and the config, and is audited — with
 * precise 4xx for malformed, oversized, unknown and unauthorised requests.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelDeletionTest implements TorporTestProperties {
    private static final String REPO = "/v2/repository/models/";

    @Inject
    EmbeddedServer server;
    @Inject
    ModelConfigs configs;
    @Inject
    Activator activator;
    private Http operator;

    @BeforeAll
    void client() {
        operator = Http.operator(server);
    }

    private void publish(Http as, String model, String version) {
        Http.Reply published = as.putFile(REPO + model + "/versions/" + version, SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private Http key(String role, String tenant) {
        Http.Reply created = operator.post("/admin/keys", "{\"role\": \"" + role + "\", \"tenant\": \"" + tenant + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return operator.withKey(created.json().get("key").asText());
    }

    private JsonNode listed(String model) {
        Http.Reply listing = operator.get(REPO);
        assertThat(listing.status()).as(listing.body()).isEqualTo(200);
        for (JsonNode entry : listing.json().get("models")) {
            if (entry.get("name").asText().equals(model)) {
                return entry;
            }
        }
        return null;
    }

    private JsonNode audit(String action, String target) {
        for (JsonNode entry : operator.get("/admin/audit?action=" + action + "&limit=1000").json().get("entries")) {
            if (entry.get("target").asText().equals(target)) {
                return entry;
            }
        }
        throw new AssertionError("no audit entry " + action + " " + target);
    }

    private static void assertError(Http.Reply reply, int status, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json().get("error").asText()).contains(message);
    }

    @Test
    void deletingThePinnedVersionClearsThePinAndIsAudited() {
        publish(operator, "pinned", "1");
        publish(operator, "pinned", "2");
        publish(operator, "pinned", "3");
        assertThat(operator.putJson(REPO + "pinned/config", "{\"defaultVersion\": \"2\"}").status()).isEqualTo(200);

        assertThat(operator.delete(REPO + "pinned/versions/2").status()).isEqualTo(204);

        assertThat(listed("pinned").get("defaultVersion").asText()).isEqualTo("3");
        JsonNode model = operator.get(REPO + "pinned").json();
        assertThat(model.get("defaultVersion").asText()).isEqualTo("3");
        assertThat(model.get("config").get("defaultVersion").asText()).isEqualTo("3");
        assertThat(operator.get("/v2/models/pinned").status()).isEqualTo(200);
        assertThat(audit("model.delete", "pinned/2").get("detail").get("clearedDefaultVersion").asText())
                .isEqualTo("2");

        assertThat(operator.delete(REPO + "pinned/versions/1").status()).isEqualTo(204);
        assertThat(audit("model.delete", "pinned/1").get("detail").isNull()).as("no pin was cleared").isTrue();
    }

    @Test
    void aStalePinNeverBreaksTheListingAndCanBeRepairedEitherWay() {
        publish(operator, "stale", "1");
        publish(operator, "stale", "2");
        publish(operator, "neighbour", "1");
        // What a config written before deletes cleared pins, or read by another router before the delete, holds.
        configs.update("stale", Http.JSON.createObjectNode().put("defaultVersion", "7"));

        assertThat(listed("stale").get("defaultVersion").asText()).as("the stale pin, shown as it is").isEqualTo("7");
        assertThat(listed("stale").get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(listed("neighbour")).isNotNull();
        JsonNode model = operator.get(REPO + "stale").json();
        assertThat(model.get("defaultVersion").asText()).isEqualTo("7");
        assertThat(model.get("config").get("memoryMb").isNull()).isTrue();
        assertError(operator.get("/v2/models/stale"), 404, "default version 7 of model stale is not published");
        assertError(operator.post("/v2/models/stale/infer", "{}"), 404, "default version 7");
        assertThat(operator.get("/v2/models/stale/versions/1").status()).isEqualTo(200);

        Http.Reply unrelated = operator.putJson(REPO + "stale/config", "{\"maxQueue\": 5}");
        assertThat(unrelated.status()).as(unrelated.body()).isEqualTo(200);
        assertThat(unrelated.json().get("defaultVersion").asText()).isEqualTo("7");
        assertError(operator.putJson(REPO + "stale/config", "{\"defaultVersion\": \"8\"}"), 404, "no version 8");

        Http.Reply repaired = operator.putJson(REPO + "stale/config", "{\"defaultVersion\": \"1\"}");
        assertThat(repaired.status()).as(repaired.body()).isEqualTo(200);
        assertThat(repaired.json().get("defaultVersion").asText()).isEqualTo("1");
        assertThat(operator.get("/v2/models/stale").status()).isEqualTo(200);

        configs.update("stale", Http.JSON.createObjectNode().put("defaultVersion", "7"));
        Http.Reply unpinned = operator.putJson(REPO + "stale/config", "{\"defaultVersion\": null}");
        assertThat(unpinned.status()).as(unpinned.body()).isEqualTo(200);
        assertThat(unpinned.json().get("defaultVersion").asText()).as("the latest").isEqualTo("2");
        assertThat(listed("stale").get("defaultVersion").asText()).isEqualTo("2");
    }

    @Test
    void aDeletedVersionsNumberStaysUsed() {
        publish(operator, "immutable", "1");
        publish(operator, "immutable", "2");
        assertThat(operator.delete(REPO + "immutable/versions/1").status()).isEqualTo(204);

        Http.Reply again = operator.put(REPO + "immutable/versions/1", "application/octet-stream", new byte[] {1, 2});
        assertError(again, 409, "model immutable version 1 was deleted");
        assertError(operator.get("/v2/models/immutable/versions/1"), 404, "it was deleted");
        assertError(operator.putJson(REPO + "immutable/config", "{\"defaultVersion\": \"1\"}"), 404, "it was deleted");
        assertThat(operator.get("/v2/models/immutable").json().get("versions").toString()).isEqualTo("[\"2\"]");
    }

    @Test
    void deletingAModelDrainsItDeletesItsVersionsAndConfigAndIsAudited() {
        Http publisher = key("publisher", "del");
        publish(publisher, "whole", "1");
        publish(publisher, "whole", "2");
        assertThat(publisher.putJson(REPO + "whole/config", "{\"maxQueue\": 9, \"defaultVersion\": \"1\"}").status())
                .isEqualTo(200);
        Http.Reply loaded = publisher.post(REPO + "whole/load", "");
        assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
        assertThat(activator.instances("whole")).isNotEmpty();

        assertThat(publisher.delete(REPO + "whole").status()).isEqualTo(204);

        assertThat(activator.instances("whole")).isEmpty();
        assertError(operator.get(REPO + "whole"), 404, "unknown model whole");
        assertError(operator.get("/v2/models/whole"), 404, "unknown model whole");
        assertThat(listed("whole")).isNull();
        assertError(publisher.delete(REPO + "whole"), 404, "unknown model whole");
        JsonNode entry = audit("model.delete", "whole");
        assertThat(entry.get("detail").get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(entry.get("tenant").asText()).isEqualTo("del");

        // The name is free again, as a new model: its config starts from the defaults, its old numbers stay used.
        Http other = key("publisher", "other");
        assertError(other.put(REPO + "whole/versions/2", "application/octet-stream", new byte[] {1}), 409,
                "was deleted");
        publish(other, "whole", "3");
        JsonNode reborn = operator.get(REPO + "whole").json();
        assertThat(reborn.get("owner").asText()).isEqualTo("other");
        assertThat(reborn.get("config").get("maxQueue").asInt()).isEqualTo(1000);
        assertThat(reborn.get("defaultVersion").asText()).isEqualTo("3");
    }

    @Test
    void anOperatorMayDeleteAnyModelAndOthersArePreciselyRefused() {
        Http owner = key("publisher", "own");
        publish(owner, "guarded", "1");
        assertError(key("publisher", "intruder").delete(REPO + "guarded"), 403, "");
        assertError(key("invoker", "own").delete(REPO + "guarded"), 403, "");
        Http.Reply anonymous = operator.withKey(null).delete(REPO + "guarded");
        assertError(anonymous, 401, "");
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(operator.get(REPO + "guarded").status()).as("refusals change nothing").isEqualTo(200);

        assertThat(operator.delete(REPO + "guarded").status()).isEqualTo(204);
        assertThat(audit("model.delete", "guarded").get("role").asText()).isEqualTo("operator");
    }

    @Test
    void malformedOversizedAndHostileNamesArePrecise4xx() {
        Map<String, Integer> cases = new java.util.LinkedHashMap<>();
        cases.put("-leading-dash", 400);
        cases.put("bad%20name", 400);
        cases.put("a%00b", 400);
        cases.put("semi%3Bcolon", 400);
        cases.put("%2e%2e", 400);
        cases.put("x".repeat(129), 400);
        cases.put("x".repeat(3000), 400);
        cases.put("nosuch", 404);
        cases.put("x".repeat(128), 404);
        cases.forEach((name, status) -> {
            Http.Reply reply = operator.delete(REPO + name);
            String shown = name.substring(0, Math.min(name.length(), 20));
            assertThat(reply.status()).as(shown + ": " + reply.body()).isEqualTo(status);
            assertThat(reply.json().get("error").asText()).as(shown).isNotBlank().doesNotContain("\u0000");
            assertThat(operator.withKey(null).delete(REPO + name).status()).as("no key first: " + shown)
                    .isEqualTo(401);
        });
        Http.Reply huge = operator.send("DELETE", REPO + "nosuch", Map.of("Content-Type", "application/json"),
                new byte[2 * 1024 * 1024]);
        assertError(huge, 404, "unknown model nosuch"); // the body of a DELETE is not read
    }
}
