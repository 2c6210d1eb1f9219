package dev.torpor.router.auth;

import java.time.Instant;

/**
 * One row of {@code api_keys}: never the key itself, only its hash.
 *
 * @param createdBy the id of the key that created it; null for the bootstrap key
 */
public record StoredKey(String id, String keyHash, Role role, String tenant, Instant createdAt, String createdBy) {

    Caller caller() {
        return new Caller(id, role, tenant);
    }
}
