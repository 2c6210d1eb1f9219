package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * API.md's tenancy and role table, endpoint by endpoint, on a real router with auth on (its default): every
 * endpoint × invoker / publisher of tenant {@code a} on its own model ({@code ma}) and on tenant {@code b}'s model
 * ({@code mb}) × operator × no key → the expected status. {@code ms} is tenant {@code b}'s model with
 * {@code "shared": true}. Mutating rows get fresh targets ({@code {new}}, {@code {v}}, {@code {d}}, {@code {dm}} (a fresh
 * model of the row's tenant), {@code {k}}), so
 * rows do not depend on each other's order.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest implements TorporTestProperties {
    /**
     * method path [body] | invoker own | invoker other | publisher own | publisher other | operator | no key.
     * Bodies: silero (an infer request), onnx (the model file, as an upload), config, limits, prices, key.
     */
    private static final String TABLE = """
            GET    /v2                                          | 200 | 200 | 200 | 200 | 200 | 401
            GET    /v2/health/live                              | 200 | 200 | 200 | 200 | 200 | 200
            GET    /v2/health/ready                             | 200 | 200 | 200 | 200 | 200 | 200
            GET    /v2/models/{m}                               | 200 | 403 | 200 | 403 | 200 | 401
            GET    /v2/models/{m}/versions/1                    | 200 | 403 | 200 | 403 | 200 | 401
            GET    /v2/models/{m}/ready                         | 200 | 403 | 200 | 403 | 200 | 401
            GET    /v2/models/{m}/versions/1/ready              | 200 | 403 | 200 | 403 | 200 | 401
            POST   /v2/models/{m}/infer silero                  | 200 | 403 | 200 | 403 | 200 | 401
            POST   /v2/models/{m}/versions/1/infer silero       | 200 | 403 | 200 | 403 | 200 | 401
            GET    /v2/models/ms                                | 200 | 200 | 200 | 200 | 200 | 401
            POST   /v2/models/ms/infer silero                   | 200 | 200 | 200 | 200 | 200 | 401
            GET    /v2/models/nosuch                            | 404 | 404 | 404 | 404 | 404 | 401
            POST   /v2/models/nosuch/infer silero               | 404 | 404 | 404 | 404 | 404 | 401
            GET    /v2/repository/models                        | 200 | 200 | 200 | 200 | 200 | 401
            POST   /v2/repository/index                         | 200 | 200 | 200 | 200 | 200 | 401
            GET    /v2/repository/models/{m}                    | 200 | 403 | 200 | 403 | 200 | 401
            PUT    /v2/repository/models/{new}/versions/1 onnx  | 403 | 403 | 201 | 201 | 201 | 401
            PUT    /v2/repository/models/{m}/versions/{v} onnx  | 403 | 403 | 201 | 403 | 201 | 401
            PUT    /v2/repository/models/{m}/config config      | 403 | 403 | 200 | 403 | 200 | 401
            PUT    /v2/repository/models/ms/config config       | 403 | 403 | 403 | 403 | 200 | 401
            POST   /v2/repository/models/{m}/load               | 403 | 403 | 200 | 403 | 200 | 401
            POST   /v2/repository/models/{m}/unload             | 403 | 403 | 200 | 403 | 200 | 401
            DELETE /v2/repository/models/{m}/versions/{d}       | 403 | 403 | 204 | 403 | 204 | 401
            DELETE /v2/repository/models/nosuch/versions/1      | 404 | 404 | 404 | 404 | 404 | 401
            DELETE /v2/repository/models/{dm}                   | 403 | 403 | 204 | 403 | 204 | 401
            DELETE /v2/repository/models/nosuch                 | 404 | 404 | 404 | 404 | 404 | 401
            GET    /admin/pool                                  | 403 | 403 | 403 | 403 | 200 | 401
            PUT    /admin/pool/limits limits                    | 403 | 403 | 403 | 403 | 200 | 401
            GET    /admin/prices                                | 403 | 403 | 403 | 403 | 200 | 401
            GET    /admin/prices/history                        | 403 | 403 | 403 | 403 | 200 | 401
            PUT    /admin/prices prices                         | 403 | 403 | 403 | 403 | 200 | 401
            GET    /admin/keys                                  | 403 | 403 | 403 | 403 | 200 | 401
            POST   /admin/keys key                              | 403 | 403 | 403 | 403 | 201 | 401
            DELETE /admin/keys/{k}                              | 403 | 403 | 403 | 403 | 204 | 401
            GET    /admin/audit                                 | 403 | 403 | 403 | 403 | 200 | 401
            GET    /admin/billing/reconcile                     | 403 | 403 | 403 | 403 | 200 | 401
            DELETE /admin/billing/records?before=2000-01-01T00:00:00Z | 403 | 403 | 403 | 403 | 200 | 401
            GET    /admin/instances/x-1-000000/logs             | 403 | 403 | 403 | 403 | 404 | 401
            GET    /billing/records                             | 200 | 200 | 200 | 200 | 200 | 401
            GET    /billing/records?tenant={t}                  | 200 | 403 | 200 | 403 | 200 | 401
            GET    /billing/summary                             | 200 | 200 | 200 | 200 | 200 | 401
            GET    /billing/summary?tenant={t}                  | 200 | 403 | 200 | 403 | 200 | 401
            GET    /no/such/route                               | 404 | 404 | 404 | 404 | 404 | 401
            """;

    private static final List<String> COLUMNS = List.of("invoker own", "invoker other", "publisher own",
            "publisher other", "operator", "no key");

    @Inject
    EmbeddedServer server;
    private Http operator;
    private Http invokerA;
    private Http publisherA;
    private Http invokerB;
    private Http publisherB;
    private final AtomicInteger fresh = new AtomicInteger();

    @BeforeAll
    void keysAndModels() {
        operator = Http.operator(server);
        invokerA = operator.withKey(createKey("invoker", "a"));
        publisherA = operator.withKey(createKey("publisher", "a"));
        invokerB = operator.withKey(createKey("invoker", "b"));
        publisherB = operator.withKey(createKey("publisher", "b"));
        publish(publisherA, "ma", "1");
        publish(publisherB, "mb", "1");
        publish(publisherB, "ms", "1");
        Http.Reply shared = publisherB.putJson("/v2/repository/models/ms/config", "{\"shared\": true}");
        assertThat(shared.status()).as(shared.body()).isEqualTo(200);
    }

    private String createKey(String role, String tenant) {
        Http.Reply created = operator.post("/admin/keys", "{\"role\": \"" + role + "\", \"tenant\": \"" + tenant + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("key").asText();
    }

    private static void publish(Http as, String model, String version) {
        Http.Reply published = as.putFile("/v2/repository/models/" + model + "/versions/" + version,
                SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        for (String line : TABLE.strip().split("\n")) {
            String[] cells = line.split("\\|");
            String[] request = cells[0].trim().split("\\s+");
            for (int column = 0; column < COLUMNS.size(); column++) {
                rows.add(Arguments.of(request[0], request[1], request.length > 2 ? request[2] : null,
                        COLUMNS.get(column), Integer.parseInt(cells[column + 1].trim())));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1} as {3} → {4}")
    @MethodSource("table")
    void everyEndpointEveryRoleOwnAndOtherTenant(String method, String path, String body, String who, int expected) {
        boolean other = who.endsWith("other") || who.equals("operator");
        Http client = switch (who) {
            case "invoker own", "invoker other" -> invokerA;
            case "publisher own", "publisher other" -> publisherA;
            case "operator" -> operator;
            default -> operator.withKey(null);
        };
        String model = other ? "mb" : "ma";
        String resolved = path.replace("{m}", model).replace("{t}", other ? "b" : "a")
                .replace("{new}", "new" + fresh.incrementAndGet())
                .replace("{v}", "v" + fresh.incrementAndGet());
        if (resolved.contains("{d}")) {
            String version = "d" + fresh.incrementAndGet();
            publish(operator, model, version);
            resolved = resolved.replace("{d}", version);
        }
        if (resolved.contains("{dm}")) {
            String fresh = "dm" + this.fresh.incrementAndGet();
            publish(other ? publisherB : publisherA, fresh, "1");
            resolved = resolved.replace("{dm}", fresh);
        }
        if (resolved.contains("{k}")) {
            Http.Reply victim = operator.post("/admin/keys", "{\"role\": \"invoker\", \"tenant\": \"z\"}");
            resolved = resolved.replace("{k}", victim.json().get("id").asText());
        }
        Http.Reply reply = switch (method) {
            case "GET" -> client.get(resolved);
            case "DELETE" -> client.delete(resolved);
            case "POST" -> client.post(resolved, body(body));
            case "PUT" -> "onnx".equals(body) ? client.putFile(resolved, SampleModels.silero())
                    : client.put(resolved, "application/json", body(body));
            default -> throw new IllegalArgumentException(method);
        };
        assertThat(reply.status()).as(method + " " + resolved + " as " + who + ": " + reply.body()).isEqualTo(expected);
        if (expected >= 400) {
            assertThat(reply.json().get("error").asText()).isNotBlank();
        }
        if (expected == 401) {
            assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
        }
    }

    private static byte[] body(String kind) {
        String json = kind == null ? "" : switch (kind) {
            case "silero" -> SileroRequests.json("m", SileroRequests.audio(3));
            case "config" -> "{\"maxQueue\": 64}";
            case "limits", "prices" -> "{}";
            case "key" -> "{\"role\": \"invoker\", \"tenant\": \"c\"}";
            default -> throw new IllegalArgumentException(kind);
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aNewModelBelongsToThePublishersTenantAndKeepsItsOwnerWhenAnOperatorAddsAVersion() {
        publish(publisherA, "owned-by-a", "1");
        publish(operator, "owned-by-a", "2");
        JsonNode model = operator.get("/v2/repository/models/owned-by-a").json();
        assertThat(model.get("owner").asText()).isEqualTo("a");
        assertThat(invokerB.get("/v2/models/owned-by-a").status()).isEqualTo(403);
        assertThat(invokerA.get("/v2/models/owned-by-a").status()).isEqualTo(200);
    }

    @Test
    void listingsShowOnlyTheModelsAKeyMayCall() {
        Set<String> seenByA = names(invokerA.get("/v2/repository/models").json().get("models"));
        assertThat(seenByA).contains("ma", "ms").doesNotContain("mb");
        Set<String> indexedForA = names(invokerA.post("/v2/repository/index", "").json());
        assertThat(indexedForA).contains("ma", "ms").doesNotContain("mb");
        assertThat(names(operator.get("/v2/repository/models").json().get("models"))).contains("ma", "mb", "ms");
    }

    private static Set<String> names(JsonNode entries) {
        Set<String> names = new java.util.HashSet<>();
        entries.forEach(entry -> names.add(entry.get("name").asText()));
        return names;
    }

    @Test
    void theRecordsTenantIsTheKeysAndTenantsSeeOnlyTheirOwnBilling() {
        Http.Reply answered = invokerA.post("/v2/models/ms/infer", SileroRequests.json("t", SileroRequests.audio(5)));
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        String id = answered.header("torpor-request-id");
        JsonNode records = operator.get("/billing/records?model=ms&limit=1000").json().get("records");
        JsonNode mine = null;
        for (JsonNode record : records) {
            if (record.get("id").asText().equals(id)) {
                mine = record;
            }
        }
        assertThat(mine).as("record " + id).isNotNull();
        assertThat(mine.get("tenant").asText()).isEqualTo("a");
        assertThat(mine.get("owner").asText()).isEqualTo("b");
        invokerA.get("/billing/records?limit=1000").json().get("records")
                .forEach(record -> assertThat(record.get("tenant").asText()).isEqualTo("a"));
        invokerB.get("/billing/records?limit=1000").json().get("records")
                .forEach(record -> assertThat(record.get("id").asText()).isNotEqualTo(id));
        JsonNode summary = invokerA.get("/billing/summary?groupBy=tenant").json();
        assertThat(summary.size()).isEqualTo(1);
        assertThat(summary.get(0).get("key").asText()).isEqualTo("a");
    }

    @Test
    void refusedRequestsLeaveNoBillingRecord() {
        int before = operator.get("/billing/records?limit=1000").json().get("records").size();
        assertThat(invokerA.post("/v2/models/mb/infer", SileroRequests.json("x", SileroRequests.audio(1))).status())
                .isEqualTo(403);
        assertThat(operator.withKey(null).post("/v2/models/ma/infer", SileroRequests.json("x", SileroRequests.audio(1)))
                .status()).isEqualTo(401);
        assertThat(invokerA.post("/v2/models/nosuch/infer", "{}").status()).isEqualTo(404);
        assertThat(operator.get("/billing/records?limit=1000").json().get("records").size()).isEqualTo(before);
    }
}
