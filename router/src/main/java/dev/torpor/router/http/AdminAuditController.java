package dev.torpor.router.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.error.BadRequest;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.AuditEntry;
import dev.torpor.router.auth.AuditLog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/audit?action=&after=&limit=}: the audit log for operators, oldest first, paged by the last
 * entry's id ({@code next}).
 */
@Controller("/admin/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminAuditController {
    static final int MAX_LIMIT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditLog audit;

    AdminAuditController(AuditLog audit) {
        this.audit = audit;
    }

    @Get
    Map<String, Object> read(HttpRequest<?> request, @Nullable @QueryValue String action,
                             @Nullable @QueryValue String after, @Nullable @QueryValue String limit) {
        Access.requireOperator(Callers.of(request));
        int size = limit(limit);
        List<AuditEntry> entries = audit.read(QueryParams.text(after), QueryParams.text(action), size);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("entries", entries.stream().map(AdminAuditController::view).toList());
        view.put("next", entries.size() == size ? entries.get(entries.size() - 1).id() : null);
        return view;
    }

    private static Map<String, Object> view(AuditEntry entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", entry.id());
        view.put("at", entry.at().toString());
        view.put("keyId", entry.actorKeyId());
        view.put("role", entry.actorRole());
        view.put("tenant", entry.actorTenant());
        view.put("action", entry.action());
        view.put("target", entry.target());
        try {
            view.put("detail", entry.detail() == null ? null : JSON.readTree(entry.detail()));
        } catch (IOException unreadable) {
            view.put("detail", entry.detail());
        }
        return view;
    }

    private static int limit(String value) {
        int limit = QueryParams.limit(value, 100, MAX_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }
}
