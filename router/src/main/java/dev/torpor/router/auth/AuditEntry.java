package dev.torpor.router.auth;

import java.time.Instant;

/**
 * One change, as the audit log keeps it.
 *
 * @param action what was done, e.g. {@code model.publish}, {@code key.create} (see {@link AuditLog})
 * @param target what it was done to: a model, {@code model/version}, a key id, {@code pool}, {@code prices}
 * @param detail JSON text with the change's particulars (a config patch, a key's role and tenant), or null
 */
public record AuditEntry(String id, Instant at, String actorKeyId, String actorRole, String actorTenant,
                         String action, String target, String detail) {
}
