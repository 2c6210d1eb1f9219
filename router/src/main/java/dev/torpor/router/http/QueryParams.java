package dev.torpor.router.http;

import dev.torpor.error.BadRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Parses query parameters the same way on every endpoint, with a 400 that names the parameter. */
final class QueryParams {
    private QueryParams() {
    }

    /** The parameter's value, or null when it is absent or blank. */
    static String text(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * A page size: {@code byDefault} when absent or blank, 400 when not a whole number. The range 1 … {@code max}
     * is named in the message; the caller checks it (the billing query does so itself).
     */
    static int limit(String value, int byDefault, int max) {
        if (value == null || value.isBlank()) {
            return byDefault;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException notANumber) {
            throw new BadRequest("limit must be a whole number from 1 to " + max);
        }
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
