package dev.torpor.router.http;

import dev.torpor.error.Unauthenticated;
import dev.torpor.router.auth.AuthSettings;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.auth.KeyRing;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Authentication, the first check of every request (API.md: 401 before 404 before 403): attaches the key's
 * {@link Caller} to the request, or answers 401 with {@code WWW-Authenticate: Bearer}. The health endpoints
 * need no key. Runs on the event loop: the key ring is in memory, so this never blocks. Authorization (role and
 * tenant, 403) is the controllers' business, after they know the model exists.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class AuthFilter implements Ordered {
    private final KeyRing ring;
    private final boolean enabled;

    AuthFilter(KeyRing ring, AuthSettings settings) {
        this.ring = ring;
        this.enabled = settings.enabled();
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (!enabled) {
            request.setAttribute(Callers.ATTRIBUTE, Caller.LOCAL_DEVELOPER);
            return null;
        }
        String path = request.getPath();
        if (path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
            return null;
        }
        try {
            request.setAttribute(Callers.ATTRIBUTE, ring.authenticate(request.getHeaders().get(HttpHeaders.AUTHORIZATION)));
            return null;
        } catch (Unauthenticated refused) {
            return ErrorBodies.of(refused).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"torpor\"");
        }
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }
}
