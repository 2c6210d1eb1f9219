package dev.torpor.router.activation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Scales idle instances down: an instance that has had nothing in flight for its model's idle timeout is
 * taken out of service and stopped, which closes its engine session and frees its native memory. Never
 * takes a busy instance, and never goes below the model's {@code minInstances}.
 *
 * <p>{@link #sweep(Instant)} decides and acts, then says when it next needs to run, so a scheduler can
 * sleep until then and tests can drive it with a fake clock.
 */
public final class Reaper {
    /** How long to wait when nothing is idle: new idleness starts from a request that the ticker will see. */
    static final Duration NOTHING_DUE = Duration.ofSeconds(1);

    private final PoolControl pool;

    public Reaper(Activator activator) {
        this.pool = activator.control();
    }

    /**
     * Stops every instance idle for at least its timeout.
     *
     * @return when the next instance will reach its idle timeout (at most {@link #NOTHING_DUE} from now)
     */
    public Instant sweep(Instant now) {
        return pool.adjust(changes -> {
            Instant next = now.plus(NOTHING_DUE);
            for (ModelGate gate : changes.gates()) {
                long keep = gate.policy().minInstances();
                long ready = gate.readyCount();
                for (InstanceSlot slot : List.copyOf(gate.slots())) {
                    if (!slot.isReady() || slot.inFlight() > 0 || slot.idleSince() == null) {
                        continue;
                    }
                    Instant due = slot.idleSince().plus(gate.policy().idleTimeout());
                    if (!now.isBefore(due) && ready > keep) {
                        changes.drain(gate, slot);
                        ready--;
                    } else if (ready > keep && due.isBefore(next)) {
                        next = due;
                    }
                }
            }
            return next;
        });
    }
}
