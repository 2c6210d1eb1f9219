package dev.torpor.router;

import io.micronaut.runtime.Micronaut;

/** Starts the Torpor router: the HTTP edge, the activator, the reaper and the ledger. */
public final class Torpor {
    private Torpor() {
    }

    public static void main(String[] args) {
        Micronaut.run(Torpor.class, args);
    }
}
