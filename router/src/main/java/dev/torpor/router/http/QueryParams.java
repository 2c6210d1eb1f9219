package dev.torpor.router.http;

import dev.torpor.error.BadRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Parses query parameters the same way on every endpoint, with a 400 that names the parameter. */
final class QueryParams {
    private QueryParams() {
    }

    /** An ISO-8601 UTC timestamp, or null when the parameter is absent or blank. */
    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException malformed) {
            throw new BadRequest(name + " must be an ISO-8601 UTC timestamp such as 2026-11-30T14:59:06Z");
        }
    }
}
