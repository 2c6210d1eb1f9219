package dev.torpor.router.http;

import dev.torpor.error.Unauthenticated;
import dev.torpor.router.auth.Caller;
import io.micronaut.http.HttpRequest;

/** The {@link Caller} that {@link AuthFilter} attached to a request. */
public final class Callers {
    static final String ATTRIBUTE = "torpor.caller";

    private Callers() {
    }

    /**
     * @throws Unauthenticated when no caller is attached: fails closed should a route ever be reached without
     *                         passing the filter
     */
    public static Caller of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, Caller.class)
                .orElseThrow(() -> new Unauthenticated("an API key is required: send Authorization: Bearer <key>"));
    }
}
