package dev.torpor.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.error.BadRequest;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.ApiKeys;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.auth.Role;
import dev.torpor.router.auth.StoredKey;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Key management for operators: {@code POST /admin/keys} ({@code {"role", "tenant"}} → the key, shown once),
 * {@code GET /admin/keys} (ids, roles, tenants — never keys or hashes), {@code DELETE /admin/keys/{id}}.
 */
@Controller("/admin/keys")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminKeysController {
    private static final long MAX_BYTES = 4 * 1024;
    private static final Set<String> FIELDS = Set.of("role", "tenant");

    private final ApiKeys keys;

    AdminKeysController(ApiKeys keys) {
        this.keys = keys;
    }

    @Post
    @Consumes(MediaType.ALL)
    HttpResponse<Map<String, Object>> create(HttpRequest<?> request, @Body @Nullable InputStream body) {
        Caller caller = Callers.of(request);
        Access.requireOperator(caller);
        JsonNode document = checked(BoundedBody.readJson(body, request.getContentLength(), MAX_BYTES,
                "the 4 KB limit of a key request"));
        Role role = Role.parse(text(document, "role"));
        String tenant = text(document, "tenant");
        if (tenant == null) {
            throw new BadRequest("tenant is required: the tenant whose models and billing the key may use");
        }
        ApiKeys.Created created = keys.create(caller, role, tenant);
        Map<String, Object> view = view(created.stored());
        view.put("key", created.key());
        return HttpResponse.created(view);
    }

    @Get
    Map<String, Object> list(HttpRequest<?> request) {
        Access.requireOperator(Callers.of(request));
        return Map.of("keys", keys.list().stream().map(AdminKeysController::view).toList());
    }

    @Delete("/{id}")
    @Consumes(MediaType.ALL)
    HttpResponse<Void> delete(HttpRequest<?> request, String id) {
        Caller caller = Callers.of(request);
        Access.requireOperator(caller);
        keys.delete(caller, id);
        return HttpResponse.status(HttpStatus.NO_CONTENT);
    }

    private static Map<String, Object> view(StoredKey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", key.id());
        view.put("role", key.role().wireName());
        view.put("tenant", key.tenant());
        view.put("createdAt", key.createdAt().toString());
        view.put("createdBy", key.createdBy());
        return view;
    }

    /** A key request: a JSON object with no fields but role and tenant. */
    private static JsonNode checked(JsonNode document) {
        if (document == null || !document.isObject()) {
            throw new BadRequest("the body must be a JSON object such as {\"role\": \"invoker\", \"tenant\": \"team-a\"}");
        }
        for (Iterator<String> names = document.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new BadRequest("unknown field '" + name + "': a key request has role and tenant");
            }
        }
        return document;
    }

    private static String text(JsonNode document, String field) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequest(field + " must be a string");
        }
        return value.asText();
    }
}
