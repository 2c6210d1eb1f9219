package dev.torpor.router.activation;

import dev.torpor.pool.PoolLimits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the {@link Reaper}, the {@link Autoscaler} and the activator's own explicit controls may do to the pool:
 * look at every version's gate, drain instances and place new ones, all decided in one pass under the pool's
 * lock and carried out after it. Callers never touch the lock themselves.
 */
interface PoolControl {
    /**
     * Runs {@code decide} holding the pool's lock; then, after releasing it, stops the instances it drained that
     * were idle and starts what its placements decided (loads, evictions, refusals), in that order.
     *
     * @return what {@code decide} returned
     */
    <T> T adjust(Function<Changes, T> decide);

    /** The pool as one {@link #adjust} pass sees it; valid only inside that pass, on its thread. */
    interface Changes {
        /** Every version's gate; the pass may read and change them (it holds the lock). */
        Collection<ModelGate> gates();

        boolean isShuttingDown();

        PoolLimits limits();

        /**
         * Takes an instance out of service: an idle one stops after the pass, a busy one once its last request
         * in flight finishes.
         */
        void drain(ModelGate gate, InstanceSlot slot);

        /** Drains every instance of the gate; the result completes once all of them have stopped. */
        default CompletableFuture<Void> drainAll(ModelGate gate) {
            List<CompletableFuture<Void>> stopped = new ArrayList<>();
            for (InstanceSlot slot : List.copyOf(gate.slots())) {
                stopped.add(slot.stopped());
                drain(gate, slot);
            }
            return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
        }

        /**
         * Places one more instance for the gate (see {@link Placer#place}).
         *
         * @return whether an instance was launched (false: evicting first, waiting for capacity, or refused)
         */
        boolean place(ModelGate gate);
    }
}
