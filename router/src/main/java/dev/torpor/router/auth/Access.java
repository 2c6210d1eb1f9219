package dev.torpor.router.auth;

import dev.torpor.error.Forbidden;

/**
 * The tenancy and role table of API.md as pure rules. A model is callable by its owner tenant's keys, by every
 * key when its config says {@code shared}, and by operators; it is managed (new version, config, load, unload,
 * delete) by publishers of its owner tenant and by operators. Each {@code require…} throws {@link Forbidden}
 * (403); callers check existence (404) first, as API.md orders it.
 */
public final class Access {
    private Access() {
    }

    public static boolean mayCall(Caller caller, String owner, boolean shared) {
        return caller.isOperator() || shared || caller.tenant().equals(owner);
    }

    public static void requireMayCall(Caller caller, String model, String owner, boolean shared) {
        if (!mayCall(caller, owner, shared)) {
            throw new Forbidden(who(caller) + " may not use model '" + model + "': it belongs to another tenant"
                    + " and is not shared");
        }
    }

    public static void requireMayManage(Caller caller, String model, String owner) {
        if (caller.isOperator()) {
            return;
        }
        if (caller.role() != Role.PUBLISHER) {
            throw new Forbidden(who(caller) + " may not change models: that needs a publisher or operator key");
        }
        if (!caller.tenant().equals(owner)) {
            throw new Forbidden(who(caller) + " may not change model '" + model + "': it belongs to another tenant");
        }
    }

    public static void requireMayPublishNew(Caller caller) {
        if (caller.role() == Role.INVOKER) {
            throw new Forbidden(who(caller) + " may not publish models: that needs a publisher or operator key");
        }
    }

    public static void requireOperator(Caller caller) {
        if (!caller.isOperator()) {
            throw new Forbidden(who(caller) + " may not use /admin: that needs an operator key");
        }
    }

    /**
     * The tenant a billing query is limited to: operators see what they ask for (every tenant when they ask for
     * none); everyone else sees only their own tenant, and asking for another is 403.
     *
     * @param requested the {@code tenant} query parameter, or null
     * @return the tenant to filter on, or null for all
     */
    public static String billingTenant(Caller caller, String requested) {
        if (caller.isOperator()) {
            return requested;
        }
        if (requested != null && !requested.equals(caller.tenant())) {
            throw new Forbidden(who(caller) + " may read only its own tenant's billing ('" + caller.tenant() + "')");
        }
        return caller.tenant();
    }

    private static String who(Caller caller) {
        return "the " + caller.role().wireName() + " key of tenant '" + caller.tenant() + "'";
    }
}
