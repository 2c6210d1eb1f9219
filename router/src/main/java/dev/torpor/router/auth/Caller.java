package dev.torpor.router.auth;

import dev.torpor.router.model.ModelCatalog;
import java.util.Objects;

/**
 * Who sent a request: the key's id, role and tenant. With auth off every request comes from
 * {@link #LOCAL_DEVELOPER}, an operator of tenant {@code default}, so nothing behaves differently except that
 * no key is asked for.
 *
 * @param keyId null only for {@link #LOCAL_DEVELOPER}
 */
public record Caller(String keyId, Role role, String tenant) {
    public static final String DEFAULT_TENANT = ModelCatalog.DEFAULT_TENANT;
    public static final Caller LOCAL_DEVELOPER = new Caller(null, Role.OPERATOR, DEFAULT_TENANT);

    public Caller {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(tenant, "tenant");
    }

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }
}
