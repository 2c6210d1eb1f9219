package dev.torpor.router.http;

import dev.torpor.error.BadRequest;
import dev.torpor.router.billing.BillingRetention;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Operators' billing maintenance: {@code DELETE /admin/billing/records?before=} (the delete of export-then-delete). */
@Controller("/admin/billing")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdminBillingController {
    private final BillingRetention retention;

    AdminBillingController(BillingRetention retention) {
        this.retention = retention;
    }

    /** Deletes every record with {@code startedAt < before} → {@code {"deleted": N}}. */
    @Delete("/records")
    Map<String, Object> deleteBefore(@Nullable @QueryValue String before) {
        if (before == null || before.isBlank()) {
            throw new BadRequest("before is required: an ISO-8601 UTC timestamp such as 2026-11-30T00:00:00Z");
        }
        Instant cutoff;
        try {
            cutoff = Instant.parse(before);
        } catch (DateTimeParseException malformed) {
            throw new BadRequest("before must be an ISO-8601 UTC timestamp such as 2026-11-30T00:00:00Z");
        }
        return Map.of("deleted", retention.deleteBefore(cutoff));
    }
}
