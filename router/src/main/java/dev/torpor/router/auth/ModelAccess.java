package dev.torpor.router.auth;

import dev.torpor.router.model.ModelCatalog;

/**
 * {@link Access}'s rules applied to a published model: its owner tenant (the owner of its first version) and its
 * config's {@code shared} flag. Callers resolve the model first, so an unknown model stays a 404.
 */
public final class ModelAccess {
    private final ModelCatalog catalog;

    public ModelAccess(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    public boolean mayCall(Caller caller, String model) {
        return caller.isOperator() || Access.mayCall(caller, catalog.owner(model), shared(model));
    }

    public void requireMayCall(Caller caller, String model) {
        if (!caller.isOperator()) {
            Access.requireMayCall(caller, model, catalog.owner(model), shared(model));
        }
    }

    public void requireMayManage(Caller caller, String model) {
        Access.requireMayManage(caller, model, catalog.owner(model));
    }

    private boolean shared(String model) {
        return catalog.configs().effective(model).shared();
    }
}
