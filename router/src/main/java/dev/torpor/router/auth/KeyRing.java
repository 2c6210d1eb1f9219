package dev.torpor.router.auth;

import dev.torpor.error.Unauthenticated;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Authenticates bearer tokens against an in-memory copy of the key table, so the check is one SHA-256 and one
 * map lookup and never touches the database or blocks an event-loop thread. The copy is replaced whole by
 * {@link #replace} (at start, after every key change on this router, and periodically so that keys created or
 * deleted through another router sharing the database take effect within the refresh interval).
 *
 * <p>Messages never echo the token: it may be a real key sent to the wrong server.
 */
public final class KeyRing {
    private static final String SCHEME = "Bearer ";

    private volatile Map<String, Caller> byHash = Map.of();

    /** Installs the given keys as the whole set of valid keys. */
    public void replace(List<StoredKey> keys) {
        Map<String, Caller> fresh = new HashMap<>();
        for (StoredKey key : keys) {
            fresh.put(key.keyHash(), key.caller());
        }
        byHash = Map.copyOf(fresh);
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @throws Unauthenticated (401) for a missing header, another scheme, or an unknown key
     */
    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            throw new Unauthenticated("an API key is required: send Authorization: Bearer <key>");
        }
        if (authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new Unauthenticated("the Authorization header must use the Bearer scheme: Bearer <key>");
        }
        String token = authorization.substring(SCHEME.length()).strip();
        if (!ApiKeyFormat.wellFormed(token)) {
            throw new Unauthenticated("the API key is not valid");
        }
        Caller caller = byHash.get(ApiKeyFormat.hash(token));
        if (caller == null) {
            throw new Unauthenticated("the API key is not valid");
        }
        return caller;
    }

    int size() {
        return byHash.size();
    }
}
