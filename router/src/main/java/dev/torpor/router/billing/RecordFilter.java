package dev.torpor.router.billing;

import dev.torpor.error.BadRequest;
import java.time.Instant;

/**
 * Which billing records a listing returns; every part is optional (null = no condition).
 *
 * @param model  only this model
 * @param tenant only records billed to this tenant
 * @param from   only records with {@code startedAt >= from} (inclusive)
 * @param to     only records with {@code startedAt < to} (exclusive)
 */
public record RecordFilter(String model, String tenant, Instant from, Instant to) {
    /** No condition: every record. */
    public static final RecordFilter ALL = new RecordFilter(null, null, null, null);

    /** @throws BadRequest when {@code from} is after {@code to} */
    public RecordFilter {
        if (from != null && to != null && from.isAfter(to)) {
            throw new BadRequest("from must not be after to");
        }
    }
}
