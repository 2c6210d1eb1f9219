package dev.torpor.router.auth;

import dev.torpor.error.BadRequest;
import java.util.regex.Pattern;

/** Tenant names: the same alphabet as model names, at most 64 characters. */
public final class Tenants {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private Tenants() {
    }

    public static String validate(String tenant) {
        if (tenant == null || !NAME.matcher(tenant).matches() || tenant.equals(".") || tenant.equals("..")) {
            throw new BadRequest("tenant must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}; got "
                    + (tenant == null ? "nothing" : "'" + Tenants.printable(tenant) + "'"));
        }
        return tenant;
    }

    /** A bounded, printable echo of hostile input for an error message. */
    static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.replaceAll("[^\\x20-\\x7E…]", "?");
    }
}
