package dev.torpor.router.auth;

import dev.torpor.error.BadRequest;
import java.util.Locale;

/** What a key may do (API.md, "Tenancy and roles"). Wire names are lower case. */
public enum Role {
    /** Calls the models its tenant may call; reads its tenant's billing. */
    INVOKER,
    /** An invoker that also publishes models and manages its tenant's models. */
    PUBLISHER,
    /** Everything, for every tenant, including {@code /admin/*}. */
    OPERATOR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; 400 naming the allowed values for anything else. */
    public static Role parse(String value) {
        if (value != null) {
            for (Role role : values()) {
                if (role.wireName().equals(value)) {
                    return role;
                }
            }
        }
        throw new BadRequest("role must be one of invoker, publisher, operator; got "
                + (value == null ? "nothing" : "'" + value + "'"));
    }
}
