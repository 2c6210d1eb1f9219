package dev.torpor.router;

import io.micronaut.runtime.Micronaut;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Starts the Torpor router: the HTTP edge, the activator, the reaper and the ledger. */
public final class Torpor {
    private Torpor() {
    }

    public static void main(String[] args) {
        // The engine modules log through System.Logger (they know no logging library): route it to the same log.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Micronaut.build(args).mainClass(Torpor.class).banner(false).start();
    }
}
