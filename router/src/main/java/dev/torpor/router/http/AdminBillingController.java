package dev.torpor.router.http;

import dev.torpor.error.BadRequest;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.auth.Access;
import dev.torpor.router.auth.AuditLog;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.billing.BillingRetention;
import dev.torpor.router.billing.LiveUsage;
import dev.torpor.router.billing.Reconciler;
import dev.torpor.router.billing.Units;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operators' billing maintenance: {@code DELETE /admin/billing/records?before=} (the delete of export-then-delete)
 * and {@code GET /admin/billing/reconcile?from=&to=}.
 */
@Controller("/admin/billing")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminBillingController {
    private final BillingRetention retention;

    private final Reconciler reconciler;
    private final Activator activator;

    private final AuditLog audit;

    AdminBillingController(BillingRetention retention, Reconciler reconciler, Activator activator, AuditLog audit) {
        this.audit = audit;
        this.retention = retention;
        this.reconciler = reconciler;
        this.activator = activator;
    }

    /**
     * {@code GET /admin/billing/reconcile?from=&to=}: for each instance alive in the window, the compute time
     * billed to it against the engine time it measured, with the gap ({@link Reconciler}).
     */
    @Get("/reconcile")
    Map<String, Object> reconcile(HttpRequest<?> request, @Nullable @QueryValue String from,
                                  @Nullable @QueryValue String to) {
        Access.requireOperator(Callers.of(request));
        Instant start = QueryParams.instant("from", from);
        Instant end = QueryParams.instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw new BadRequest("from must be before to");
        }
        List<Reconciler.Row> rows = reconciler.reconcile(start, end, LiveUsage.of(activator));
        List<Map<String, Object>> instances = new ArrayList<>();
        long busy = 0;
        long billed = 0;
        int inconsistent = 0;
        for (Reconciler.Row row : rows) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("instanceId", row.instanceId());
            view.put("model", row.model());
            view.put("version", row.version());
            view.put("device", row.device());
            view.put("live", row.live());
            view.put("runs", row.runs());
            view.put("records", row.records());
            view.put("busyMs", row.busyMs());
            view.put("billedComputeMs", row.billedComputeMs());
            view.put("gapMs", row.gapMs());
            view.put("consistent", row.consistent());
            instances.add(view);
            busy += row.busyMicros();
            billed += row.billedMicros();
            inconsistent += row.consistent() ? 0 : 1;
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("instances", rows.size());
        totals.put("busyMs", Units.microsToMillis(busy));
        totals.put("billedComputeMs", Units.microsToMillis(billed));
        totals.put("gapMs", Units.microsToMillis(busy - billed));
        totals.put("inconsistent", inconsistent);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", start == null ? null : start.toString());
        answer.put("to", end == null ? null : end.toString());
        answer.put("instances", instances);
        answer.put("totals", totals);
        return answer;
    }


    /** Deletes every record with {@code startedAt < before} → {@code {"deleted": N}}. */
    @Delete("/records")
    Map<String, Object> deleteBefore(HttpRequest<?> request, @Nullable @QueryValue String before) {
        Caller caller = Callers.of(request);
        Access.requireOperator(caller);
        if (before == null || before.isBlank()) {
            throw new BadRequest("before is required: an ISO-8601 UTC timestamp such as 2026-11-30T00:00:00Z");
        }
        Instant cutoff = QueryParams.instant("before", before);
        long deleted = retention.deleteBefore(cutoff);
        audit.record(caller, "billing.delete", "billing_records", Map.of("before", cutoff.toString(), "deleted", deleted));
        return Map.of("deleted", deleted);
    }
}
