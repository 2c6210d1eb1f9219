package dev.torpor.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.AuditLog;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.billing.PriceDocument;
import dev.torpor.router.billing.PriceTable;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * The operators' price table: {@code GET /admin/prices} (the current version), {@code GET /admin/prices/history}
 * (every version, oldest first) and {@code PUT /admin/prices} (merge, validate, store as a new version).
 */
@Controller("/admin/prices")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminPricesController {
    private static final long MAX_BYTES = 64 * 1024;

    private final PriceTable prices;

    private final AuditLog audit;

    AdminPricesController(PriceTable prices, AuditLog audit) {
        this.audit = audit;
        this.prices = prices;
    }

    @Get
    Map<String, Object> current(HttpRequest<?> request) {
        Access.requireOperator(Callers.of(request));
        return PriceDocument.view(prices.current());
    }

    @Get("/history")
    List<Map<String, Object>> history(HttpRequest<?> request) {
        Access.requireOperator(Callers.of(request));
        return prices.history().stream().map(PriceDocument::view).toList();
    }

    /** Merges field by field (400 naming the field), stores the next version and prices later records with it. */
    @Put
    @Consumes(MediaType.ALL)
    Map<String, Object> update(HttpRequest<?> request, @Body @Nullable InputStream body) {
        Caller caller = Callers.of(request);
        Access.requireOperator(caller);
        JsonNode patch = BoundedBody.readJson(body, request.getContentLength(), MAX_BYTES,
                "the 64 KB limit of a prices document");
        Map<String, Object> updated = PriceDocument.view(prices.update(patch));
        audit.record(caller, "prices.update", "prices", updated);
        return updated;
    }
}
